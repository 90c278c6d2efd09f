package likelihood

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/kernel"
)

// gpProblem returns a small seeded classification problem: p points in d dimensions
// whose class is the sign pattern of two features.
func gpProblem(t *testing.T, a kernel.Arch, p, d int) *GP {
	t.Helper()
	rng := rand.New(rand.NewPCG(21, 2))
	x := make([]float64, p*d)
	labels := make([]int, p)
	for i := 0; i < p; i++ {
		for f := 0; f < d; f++ {
			x[i*d+f] = rng.NormFloat64()
		}
		if x[i*d] > 0 {
			labels[i]++
		}
		if x[i*d+1] > 0.5 {
			labels[i]++
		}
	}
	y, err := OneHot(labels, 3)
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGP(a, x, d, y, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGPEvidenceAgainstMultivariateNormal(t *testing.T) {
	a := kernel.Arch{Kind: kernel.Deep, Depth: 2, Phi: models.Erf{B: 1}, SigmaW2: 1.3, SigmaB2: 0.2}
	g := gpProblem(t, a, 30, 4)
	theta := []float64{math.Log(1.3), math.Log(0.2), math.Log(0.1)}
	got := g.Eval(theta, nil)
	k, err := kernel.Compute(a, g.X, g.D, kernel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		k.K.SetSym(i, i, k.K.At(i, i)+0.1)
	}
	norm, ok := distmv.NewNormal(make([]float64, 30), k.K, nil)
	if !ok {
		t.Fatal("kernel not positive definite")
	}
	var want float64
	for c := 0; c < 3; c++ {
		want += norm.LogProb(mat.Col(nil, c, g.Y))
	}
	if math.Abs(got-want) > 1e-9*math.Abs(want) {
		t.Errorf("log evidence %.12g, multivariate normal %.12g", got, want)
	}
}

func TestGPGradientAgainstFiniteDifferences(t *testing.T) {
	for _, a := range []kernel.Arch{
		{Kind: kernel.Deep, Depth: 3, Phi: models.Erf{B: 1}, SigmaW2: 1.3, SigmaB2: 0.2},
		{Kind: kernel.Deep, Depth: 2, Phi: models.ReLU{}, SigmaW2: 2, SigmaB2: 0.1},
		{Kind: kernel.Recurrent, Depth: 3, Phi: models.Tanh{}, SigmaW2: 1.1, SigmaB2: 0.3, Input: kernel.EveryStep, Bias: kernel.Shared, Readout: kernel.Sum},
	} {
		g := gpProblem(t, a, 25, 6)
		theta := []float64{math.Log(a.SigmaW2), math.Log(a.SigmaB2), math.Log(0.07)}
		grad := make([]float64, 3)
		g.Eval(theta, grad)
		want := fd.Gradient(nil, func(th []float64) float64 { return g.Eval(th, nil) }, theta,
			&fd.Settings{Formula: fd.Central, Step: 1e-5})
		for i := range grad {
			if math.Abs(grad[i]-want[i]) > 1e-6*math.Max(math.Abs(want[i]), 1) {
				t.Errorf("%s: ∂/∂θ%d = %.10g, finite difference %.10g", a, i, grad[i], want[i])
			}
		}
	}
}

// The posterior against the textbook formulas with an explicit inverse.
func TestGPPredictAgainstDenseInverse(t *testing.T) {
	a := kernel.Arch{Kind: kernel.Deep, Depth: 2, Phi: models.ReLU{}, SigmaW2: 2, SigmaB2: 0.1}
	g := gpProblem(t, a, 20, 3)
	xt := []float64{0.3, -1, 2, 1, 1, 1}
	theta := []float64{math.Log(2), math.Log(0.1), math.Log(0.05)}
	post, err := g.Predict(theta, xt)
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]float64(nil), g.X...), xt...)
	k, _ := kernel.Compute(a, all, 3, kernel.Options{})
	ky := mat.NewDense(20, 20, nil)
	for i := 0; i < 20; i++ {
		for j := 0; j < 20; j++ {
			ky.Set(i, j, k.K.At(i, j))
		}
		ky.Set(i, i, ky.At(i, i)+0.05)
	}
	var inv mat.Dense
	if err := inv.Inverse(ky); err != nil {
		t.Fatal(err)
	}
	for q := 0; q < 2; q++ {
		ks := mat.NewVecDense(20, nil)
		for i := 0; i < 20; i++ {
			ks.SetVec(i, k.K.At(i, 20+q))
		}
		var w mat.VecDense
		w.MulVec(&inv, ks)
		if v := k.K.At(20+q, 20+q) - mat.Dot(ks, &w); math.Abs(post.Var[q]-v) > 1e-9 {
			t.Errorf("variance %d = %.12g, want %.12g", q, post.Var[q], v)
		}
		for c := 0; c < 3; c++ {
			if m := mat.Dot(&w, g.Y.ColView(c)); math.Abs(post.Mean.At(q, c)-m) > 1e-9 {
				t.Errorf("mean %d,%d = %.12g, want %.12g", q, c, post.Mean.At(q, c), m)
			}
		}
	}
}

func TestCholJitter(t *testing.T) {
	// Duplicate points give a singular kernel: factorised with reported jitter.
	c, err := NewChol(mat.NewSymDense(2, []float64{1, 1, 1, 1}))
	if err != nil {
		t.Fatal(err)
	}
	if !(c.Jitter > 0 && c.Jitter <= 1e-4) {
		t.Errorf("jitter %g, want a small positive value", c.Jitter)
	}
	c, err = NewChol(mat.NewSymDense(2, []float64{2, 1, 1, 2}))
	if err != nil || c.Jitter != 0 {
		t.Errorf("positive definite matrix: jitter %v, error %v", c.Jitter, err)
	}
	// An indefinite matrix stays indefinite under any small jitter.
	_, err = NewChol(mat.NewSymDense(2, []float64{1, 2, 2, 1}))
	if err == nil || !strings.Contains(err.Error(), "not positive definite even with jitter") {
		t.Errorf("indefinite matrix: error %v", err)
	}
	_, err = NewChol(mat.NewSymDense(2, []float64{math.NaN(), 0, 0, 1}))
	if err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Errorf("NaN matrix: error %v", err)
	}
}

func TestGPBadInput(t *testing.T) {
	a := kernel.Arch{Kind: kernel.Deep, Depth: 1, Phi: models.Erf{B: 1}, SigmaW2: 1, SigmaB2: 0.1}
	if _, err := OneHot([]int{0, 0, 0}, 1); err == nil {
		t.Error("one class accepted")
	}
	y, _ := OneHot([]int{0, 1}, 2)
	if _, err := NewGP(a, []float64{1, math.Inf(1)}, 1, y, 0.1); err == nil || !strings.Contains(err.Error(), "+Inf") {
		t.Errorf("infinite feature: %v", err)
	}
	if _, err := NewGP(a, []float64{1, 2, 3}, 1, y, 0.1); err == nil {
		t.Error("3 points with 2 targets accepted")
	}
	g, err := NewGP(a, []float64{1, 2}, 1, y, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if v := g.Eval([]float64{math.Inf(1), 0, 0}, nil); !math.IsInf(v, -1) || g.Err() == nil {
		t.Errorf("infinite sw2: value %v, error %v", v, g.Err())
	}
}
