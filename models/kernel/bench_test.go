package kernel

import (
	"testing"

	"github.com/ldfit/ldfit/models"
)

// benchmarkCompute times the kernel of P = 5000 points (d = 64) through 10 layers and
// reports the kernel entries (upper triangle, each through every layer) per second.
func benchmarkCompute(b *testing.B, phi models.Phi, grad bool) {
	const p, d, depth = 5000, 64, 10
	x := testPoints(p, d, 1)
	a := Arch{Kind: Deep, Depth: depth, Phi: phi, SigmaW2: 1.5, SigmaB2: 0.05}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Compute(a, x, d, Options{Grad: grad}); err != nil {
			b.Fatal(err)
		}
	}
	entries := float64(p*(p+1)/2) * depth
	b.ReportMetric(entries*float64(b.N)/b.Elapsed().Seconds(), "entry-layers/s")
}

func BenchmarkComputeErf(b *testing.B)      { benchmarkCompute(b, models.Erf{B: 1}, false) }
func BenchmarkComputeErfGrad(b *testing.B)  { benchmarkCompute(b, models.Erf{B: 1}, true) }
func BenchmarkComputeTanh(b *testing.B)     { benchmarkCompute(b, models.Tanh{}, false) }
func BenchmarkComputeTanhGrad(b *testing.B) { benchmarkCompute(b, models.Tanh{}, true) }
