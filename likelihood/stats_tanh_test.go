package likelihood

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestTanhIntoMatchesMath(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float64, 200000)
	for k := range x {
		switch k % 4 {
		case 0:
			x[k] = rng.NormFloat64() * 0.3
		case 1:
			x[k] = rng.NormFloat64() * 3
		case 2:
			x[k] = (rng.Float64() - 0.5) * 50
		default:
			x[k] = 0.625 + (rng.Float64()-0.5)*1e-3
		}
	}
	x = append(x, 0, math.Copysign(0, -1), 0.625, -0.625, 19, 19.5, -40, math.Inf(1), math.Inf(-1))
	got := make([]float64, len(x))
	tanhInto(got, x)
	for k, v := range x {
		want := math.Tanh(v)
		if d := math.Abs(got[k] - want); d > 1e-15*math.Abs(want) {
			t.Fatalf("tanh(%v) = %v, math.Tanh gives %v (relative difference %.3g)", v, got[k], want, d/math.Abs(want))
		}
	}
	tanhInto(got[:1], []float64{math.NaN()})
	if !math.IsNaN(got[0]) {
		t.Errorf("tanh(NaN) = %v", got[0])
	}
}

func TestExpSmall(t *testing.T) {
	for x := 0.0; x <= 40; x += 0.00137 {
		want := math.Exp(x)
		if d := math.Abs(expSmall(x)-want) / want; d > 6e-16 { // within 3 ulp of math.Exp, which is itself within 1 ulp
			t.Fatalf("exp(%v): relative error %.3g", x, d)
		}
	}
}

func BenchmarkTanhInto(b *testing.B) {
	x := make([]float64, 4096)
	for i := range x {
		x[i] = float64(i%200)/50 - 2
	}
	y := make([]float64, 4096)
	b.SetBytes(8 * 4096)
	for i := 0; i < b.N; i++ {
		tanhInto(y, x)
	}
}

func BenchmarkTanhIntoRandom(b *testing.B) {
	x, y := normalSamples(4096), make([]float64, 4096)
	cpu := cpuSeconds()
	for i := 0; i < b.N; i++ {
		tanhInto(y, x)
	}
	b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
}

func BenchmarkMathTanhRandom(b *testing.B) {
	x, y := normalSamples(4096), make([]float64, 4096)
	cpu := cpuSeconds()
	for i := 0; i < b.N; i++ {
		for k, v := range x {
			y[k] = math.Tanh(v)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
}

// normalSamples returns n seeded standard normal samples.
func normalSamples(n int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}
