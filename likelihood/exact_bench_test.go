package likelihood

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
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

// BenchmarkExactFit fits τ, g, D, J0, μ to a simulated network of 500 units over
// 20,000 samples with L-BFGS (construction included), and reports the evaluations.
func BenchmarkExactFit(b *testing.B) {
	rec := simulate(b, network.Single(500, 1.6, 0.2, models.Tanh{}), 0.1, 20000, 52)
	cpu := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		e, err := NewExact(rec, ExactOptions{Tau: 0.5})
		if err != nil {
			b.Fatal(err)
		}
		var evals int
		counted := countingObjective{e, &evals}
		th, _ := maximise(b, counted)
		b.ReportMetric(float64(evals), "evals")
		b.ReportMetric(math.Exp(th[0]), "tau")
		b.ReportMetric(math.Exp(th[1]), "g")
		b.ReportMetric(math.Exp(th[2]), "D")
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

type countingObjective struct {
	Objective
	n *int
}

func (c countingObjective) Eval(theta, grad []float64) float64 {
	*c.n++
	return c.Objective.Eval(theta, grad)
}
