package likelihood

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The weight-space posterior predictive must equal the function-space (Gaussian-process)
// form, computed here densely and independently:
//
//	mean = f*ᵀm + k*ᵀ (K + σ²I)⁻¹ (y − Φm),  var = f*ᵀVf* − k*ᵀ (K + σ²I)⁻¹ k*,
//
// with V = diag(v), K = Φ V Φᵀ, k* = Φ V f*.
func TestBLRAgainstFunctionSpace(t *testing.T) {
	const n, tt, u, ts, noise = 7, 12, 3, 4, 0.3
	rng := rand.New(rand.NewPCG(3, 4))
	randn := func(r, c int) *mat.Dense {
		d := make([]float64, r*c)
		for i := range d {
			d[i] = rng.NormFloat64()
		}
		return mat.NewDense(r, c, d)
	}
	f, y, fs := randn(n, tt), randn(u, tt), randn(n, ts)
	m, v := make([]float64, n), make([]float64, n)
	for j := range m {
		m[j] = 0.2 * rng.NormFloat64()
		v[j] = 0.5 + rng.Float64()
	}
	var fy mat.Dense
	fy.Mul(f, y.T())
	b, err := NewBLR(Gram(f), &fy, m, v, noise)
	if err != nil {
		t.Fatal(err)
	}
	mean := mat.NewDense(u, ts, nil)
	wvar := make([]float64, ts)
	b.Predict(fs, mean, wvar)

	vd := mat.NewDiagDense(n, v)
	var phiV, k, ks mat.Dense
	phiV.Mul(f.T(), vd) // T×N
	k.Mul(&phiV, f)     // T×T
	for i := 0; i < tt; i++ {
		k.Set(i, i, k.At(i, i)+noise)
	}
	ks.Mul(&phiV, fs) // T×T*
	var kinv mat.Dense
	if err := kinv.Inverse(&k); err != nil {
		t.Fatal(err)
	}
	mv := mat.NewVecDense(n, m)
	for uu := 0; uu < u; uu++ {
		var r mat.VecDense
		r.MulVec(f.T(), mv)
		r.SubVec(y.RowView(uu), &r)
		var alpha mat.VecDense
		alpha.MulVec(&kinv, &r)
		for s := 0; s < ts; s++ {
			want := mat.Dot(fs.ColView(s), mv) + mat.Dot(ks.ColView(s), &alpha)
			if got := mean.At(uu, s); math.Abs(got-want) > 1e-10 {
				t.Errorf("target %d sample %d: mean %.12g, function space %.12g", uu, s, got, want)
			}
		}
	}
	for s := 0; s < ts; s++ {
		var vf, kk mat.VecDense
		vf.MulVec(vd, fs.ColView(s))
		kk.MulVec(&kinv, ks.ColView(s))
		want := mat.Dot(fs.ColView(s), &vf) - mat.Dot(ks.ColView(s), &kk)
		if math.Abs(wvar[s]-want) > 1e-10 {
			t.Errorf("sample %d: weight variance %.12g, function space %.12g", s, wvar[s], want)
		}
	}
}

func TestBLRBadInput(t *testing.T) {
	g := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	fy := mat.NewDense(2, 1, []float64{1, 1})
	cases := []struct {
		m, v  []float64
		noise float64
	}{
		{[]float64{0, 0}, []float64{1, 0}, 1},
		{[]float64{0, 0}, []float64{1, 1}, 0},
		{[]float64{0}, []float64{1, 1}, 1},
		{[]float64{0, 0}, []float64{1, math.Inf(1)}, 1},
	}
	for _, c := range cases {
		if _, err := NewBLR(g, fy, c.m, c.v, c.noise); err == nil {
			t.Errorf("NewBLR(m=%v, v=%v, noise=%v): no error", c.m, c.v, c.noise)
		}
	}
}
