package likelihood

import (
	"math"
	"testing"
)

// BenchmarkExact measures, for N = 500 units and T = 20,000 samples, the one-off
// construction (Gram matrix, eigendecomposition, projections) and one evaluation of
// the log-likelihood with its gradient afterwards.
func BenchmarkExact(b *testing.B) {
	rec := arRecording(500, []int{20001}, 0.95, 51)
	b.Run("construct", func(b *testing.B) {
		cpu := cpuSeconds()
		for range b.N {
			if _, err := NewExact(rec, ExactOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	})
	e, err := NewExact(rec, ExactOptions{})
	if err != nil {
		b.Fatal(err)
	}
	th := []float64{0, math.Log(1.5), math.Log(0.3), 0.1, 0}
	grad := make([]float64, 5)
	b.Run("eval", func(b *testing.B) {
		cpu := cpuSeconds()
		for range b.N {
			e.Eval(th, grad)
		}
		b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
	})
}
