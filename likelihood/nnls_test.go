package likelihood

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// bruteNNLS solves min |Ax − b|, x ≥ 0, by trying every set of free variables: for
// each subset, the unconstrained solution on it if it is non-negative; the best wins.
func bruteNNLS(A *mat.Dense, b []float64) ([]float64, float64) {
	m, n := A.Dims()
	best, bestX := math.Inf(1), make([]float64, n)
	for mask := 0; mask < 1<<n; mask++ {
		passive := make([]bool, n)
		for j := range n {
			passive[j] = mask&(1<<j) != 0
		}
		var z []float64
		if mask == 0 {
			z = make([]float64, n)
		} else {
			var err error
			if z, err = lsPassive(A, mat.NewVecDense(m, b), passive); err != nil {
				continue
			}
		}
		ok := true
		for _, v := range z {
			ok = ok && v >= 0
		}
		if r := resid(A, z, b); ok && r < best {
			best, bestX = r, z
		}
	}
	return bestX, best
}

func resid(A *mat.Dense, x, b []float64) float64 {
	var r mat.VecDense
	r.MulVec(A, mat.NewVecDense(len(x), x))
	var s float64
	for i, v := range b {
		s += (r.AtVec(i) - v) * (r.AtVec(i) - v)
	}
	return s
}

func TestNNLSMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 200 {
		m, n := 6+rng.IntN(10), 1+rng.IntN(5)
		A := mat.NewDense(m, n, nil)
		b := make([]float64, m)
		for i := range m {
			for j := range n {
				A.Set(i, j, rng.NormFloat64())
			}
			b[i] = rng.NormFloat64()
		}
		x, err := NNLS(A, b)
		if err != nil {
			t.Fatal(err)
		}
		want, best := bruteNNLS(A, b)
		for j := range x {
			if x[j] < 0 {
				t.Fatalf("trial %d: negative coefficient %v", trial, x)
			}
			if math.Abs(x[j]-want[j]) > 1e-9*(1+math.Abs(want[j])) {
				t.Fatalf("trial %d: NNLS %v, enumeration %v", trial, x, want)
			}
		}
		if r := resid(A, x, b); r > best*(1+1e-12)+1e-15 {
			t.Fatalf("trial %d: residual %v > best %v", trial, r, best)
		}
	}
}

func TestNNLSBadInput(t *testing.T) {
	if _, err := NNLS(mat.NewDense(3, 2, nil), []float64{1, 2}); err == nil {
		t.Error("mismatched right-hand side accepted")
	}
}
