package likelihood

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// toeplitzTestACov is a valid autocovariance: a sum of a damped oscillation (the
// covariance of an AR(2) process) and white noise.
func toeplitzTestACov(n int) []float64 {
	r := make([]float64, n)
	for k := range r {
		r[k] = math.Exp(-float64(k)/7) * (math.Cos(float64(k)/3) + 0.3*math.Sin(float64(k)/3)/3)
	}
	r[0] += 0.01
	return r
}

func TestToeplitzAgainstCholesky(t *testing.T) {
	for _, n := range []int{1, 2, 5, 60} {
		r := toeplitzTestACov(n)
		tp, err := NewToeplitz(r)
		if err != nil {
			t.Fatal(err)
		}
		dense := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				dense.SetSym(i, j, r[j-i])
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(dense) {
			t.Fatalf("n=%d: test matrix not positive definite", n)
		}
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		var want mat.VecDense
		if err := ch.SolveVecTo(&want, mat.NewVecDense(n, append([]float64(nil), b...))); err != nil {
			t.Fatal(err)
		}
		got := tp.Solve(nil, b)
		for i := range got {
			if d := math.Abs(got[i] - want.AtVec(i)); d > 1e-9*(1+math.Abs(want.AtVec(i))) {
				t.Errorf("n=%d: solution[%d] = %.12g, Cholesky gives %.12g", n, i, got[i], want.AtVec(i))
			}
		}
		if d := math.Abs(tp.LogDet() - ch.LogDet()); d > 1e-9*(1+math.Abs(ch.LogDet())) {
			t.Errorf("n=%d: log det %.12g, Cholesky gives %.12g", n, tp.LogDet(), ch.LogDet())
		}
		if q, w := tp.Quad(b), mat.Dot(mat.NewVecDense(n, b), &want); math.Abs(q-w) > 1e-9*(1+math.Abs(w)) {
			t.Errorf("n=%d: quadratic form %.12g, Cholesky gives %.12g", n, q, w)
		}
		// Solving in place gives the same answer.
		in := append([]float64(nil), b...)
		tp.Solve(in, in)
		for i := range in {
			if in[i] != got[i] {
				t.Fatalf("n=%d: in-place solve differs at %d", n, i)
			}
		}
	}
}

// The AR(1) autocovariance ρ^k has innovation variances 1, 1−ρ², 1−ρ², … and predictor
// coefficient ρ on the last sample only.
func TestToeplitzAR1ClosedForm(t *testing.T) {
	const rho = 0.8
	r := make([]float64, 10)
	for k := range r {
		r[k] = math.Pow(rho, float64(k))
	}
	tp, err := NewToeplitz(r)
	if err != nil {
		t.Fatal(err)
	}
	for m, e := range tp.Innovations() {
		want := 1 - rho*rho
		if m == 0 {
			want = 1
		}
		if math.Abs(e-want) > 1e-14 {
			t.Errorf("innovation variance %d = %.16g, want %.16g", m, e, want)
		}
	}
	for j, p := range tp.phi[9] {
		want := 0.0
		if j == 0 {
			want = rho
		}
		if math.Abs(p-want) > 1e-14 {
			t.Errorf("predictor coefficient %d = %g, want %g", j+1, p, want)
		}
	}
}

func TestToeplitzNotPositiveDefinite(t *testing.T) {
	for _, r := range [][]float64{{1, 1, 1}, {1, 2}, {0, 0.5}, {1, math.NaN()}, {}} {
		if _, err := NewToeplitz(r); err == nil {
			t.Errorf("NewToeplitz(%v): no error", r)
		}
	}
}

func ExampleToeplitz() {
	// Autocovariance of an AR(1) process with coefficient 0.5 and unit innovations.
	r := []float64{4.0 / 3, 2.0 / 3, 1.0 / 3}
	tp, err := NewToeplitz(r)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tp.Solve(nil, []float64{1, 0, 0})
	fmt.Printf("%.3f %.3f %.3f\n", x[0], x[1], x[2])
	fmt.Printf("innovation variances %.3f\n", tp.Innovations())
	// Output:
	// 1.000 -0.500 0.000
	// innovation variances [1.333 1.000 1.000]
}
