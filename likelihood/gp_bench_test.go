package likelihood

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/kernel"
)

const benchP = 5000

func benchGP(b *testing.B) *GP {
	const d = 64
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, benchP*d)
	labels := make([]int, benchP)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range labels {
		labels[i] = rng.IntN(10)
	}
	y, _ := OneHot(labels, 10)
	g, err := NewGP(kernel.Arch{Kind: kernel.Deep, Depth: 3, Phi: models.Erf{B: 1}, SigmaW2: 1.5, SigmaB2: 0.05}, x, d, y, 0.05)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkCholesky5000 reports the speed of the factorisation of a P = 5000 kernel
// (P³/3 floating-point operations).
func BenchmarkCholesky5000(b *testing.B) {
	g := benchGP(b)
	k, err := kernel.Compute(g.Arch, g.X, g.D, kernel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchP; i++ {
		k.K.SetSym(i, i, k.K.At(i, i)+0.05)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var c mat.Cholesky
		if !c.Factorize(k.K) {
			b.Fatal("not positive definite")
		}
	}
	flops := math.Pow(benchP, 3) / 3
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkEvidenceGrad5000 times one evidence and gradient evaluation at P = 5000,
// 10 classes, a depth-3 erf kernel: the kernel with its derivatives, the Cholesky
// factorisation, the inverse and the traces.
func BenchmarkEvidenceGrad5000(b *testing.B) {
	g := benchGP(b)
	theta := []float64{math.Log(1.5), math.Log(0.05), math.Log(0.05)}
	grad := make([]float64, 3)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if v := g.Eval(theta, grad); math.IsInf(v, 0) {
			b.Fatal(g.Err())
		}
	}
}
