package likelihood

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Predict forms the weight variances from row blocks of L⁻¹; with more regressors
// than one block they must still equal fᵀP⁻¹f from a direct solve with P.
func TestBLRPredictBlocksAgainstSolve(t *testing.T) {
	const n, tt, ts, noise = 300, 500, 7, 0.5
	rng := rand.New(rand.NewPCG(5, 6))
	f, fs := mat.NewDense(n, tt, nil), mat.NewDense(n, ts, nil)
	for _, m := range []*mat.Dense{f, fs} {
		raw := m.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.NormFloat64()
		}
	}
	m, v := make([]float64, n), make([]float64, n)
	for j := range v {
		v[j] = 0.01 * (1 + rng.Float64())
	}
	fy := mat.NewDense(n, 1, nil)
	b, err := NewBLR(Gram(f), fy, m, v, noise)
	if err != nil {
		t.Fatal(err)
	}
	wvar := make([]float64, ts)
	b.Predict(fs, nil, wvar)
	p := mat.NewSymDense(n, nil)
	p.ScaleSym(1/noise, Gram(f))
	for j := range v {
		p.SetSym(j, j, p.At(j, j)+1/v[j])
	}
	var ch mat.Cholesky
	if !ch.Factorize(p) {
		t.Fatal("P not positive definite")
	}
	for k := 0; k < ts; k++ {
		col := mat.VecDenseCopyOf(fs.ColView(k))
		var sol mat.VecDense
		if err := ch.SolveVecTo(&sol, col); err != nil {
			t.Fatal(err)
		}
		want := mat.Dot(col, &sol)
		if math.Abs(wvar[k]-want) > 1e-10*want {
			t.Errorf("sample %d: weight variance %.15g, direct solve %.15g", k, wvar[k], want)
		}
	}
}
