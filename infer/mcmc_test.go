package infer

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ldfit/ldfit/likelihood"
)

// gaussTarget is the log density of N(mean, cov) in identity coordinates.
type gaussTarget struct {
	mean []float64
	prec *mat.SymDense
}

func newGaussTarget(mean []float64, cov *mat.SymDense) *gaussTarget {
	var ch mat.Cholesky
	ch.Factorize(cov)
	prec := mat.NewSymDense(len(mean), nil)
	ch.InverseTo(prec)
	return &gaussTarget{mean, prec}
}

func (g *gaussTarget) Params() []likelihood.Param {
	p := make([]likelihood.Param, len(g.mean))
	for i := range p {
		p[i] = likelihood.Param{Name: string(rune('a' + i))}
	}
	return p
}

func (g *gaussTarget) Eval(theta, grad []float64) float64 {
	n := len(theta)
	d := make([]float64, n)
	for i := range d {
		d[i] = theta[i] - g.mean[i]
	}
	var q float64
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += g.prec.At(i, j) * d[j]
		}
		if grad != nil {
			grad[i] = -s
		}
		q += d[i] * s
	}
	return -0.5 * q
}

func TestSampleGaussian(t *testing.T) {
	mean := []float64{1, -2, 0.5}
	cov := mat.NewSymDense(3, []float64{
		1, 0.8, 0.1,
		0.8, 2, -0.3,
		0.1, -0.3, 0.25,
	})
	obj := newGaussTarget(mean, cov)
	est, err := Fit(obj, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lap, err := Laplace(obj, est)
	if err != nil {
		t.Fatal(err)
	}
	post, err := Sample(obj, est, lap, SampleOptions{Walkers: 16, Steps: 4000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	u := post.Uncertainty()
	for i := range mean {
		sd := math.Sqrt(cov.At(i, i))
		mcse := sd / math.Sqrt(post.ESS[i])
		if post.ESS[i] < 500 || post.RHat[i] > 1.02 {
			t.Errorf("parameter %d: ESS %.0f, R̂ %.4f", i, post.ESS[i], post.RHat[i])
		}
		if d := math.Abs(u.Estimate[i] - mean[i]); d > 4*mcse {
			t.Errorf("median of %d is %v, want %v ± %v", i, u.Estimate[i], mean[i], 4*mcse)
		}
		for j := 0; j <= i; j++ {
			// Relative standard error of a sample covariance is about √(2/ESS) scaled by
			// the variances; 5 of them is a generous bound.
			tol := 5 * math.Sqrt(2/post.ESS[i]) * math.Sqrt(cov.At(i, i)*cov.At(j, j))
			if d := math.Abs(u.Cov.At(i, j) - cov.At(i, j)); d > tol {
				t.Errorf("cov[%d,%d] = %v, want %v ± %v", i, j, u.Cov.At(i, j), cov.At(i, j), tol)
			}
		}
	}
	t.Logf("ESS %.0f, R̂ %.4f, acceptance %.2f", post.ESS, post.RHat, post.Acceptance)
	if post.Acceptance < 0.2 || post.Acceptance > 0.9 {
		t.Errorf("acceptance %v", post.Acceptance)
	}
}

// gammaTarget is the log density of θ = log x for x ~ Gamma(k, 1): k θ − e^θ.
type gammaTarget struct{ k float64 }

func (g gammaTarget) Params() []likelihood.Param {
	return []likelihood.Param{{Name: "x", Transform: likelihood.Log, Init: 1}}
}

func (g gammaTarget) Eval(theta, grad []float64) float64 {
	e := math.Exp(theta[0])
	if grad != nil {
		grad[0] = g.k - e
	}
	return g.k*theta[0] - e
}

func TestSampleGammaQuantiles(t *testing.T) {
	obj := gammaTarget{k: 2}
	est, err := Fit(obj, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(est.Value[0]-2) > 1e-6 {
		t.Fatalf("mode of log x is at x = %v, want 2", est.Value[0])
	}
	post, err := Sample(obj, est, nil, SampleOptions{Walkers: 16, Steps: 5000, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	gam := distuv.Gamma{Alpha: 2, Beta: 1}
	for _, q := range []float64{0.025, 0.25, 0.5, 0.75, 0.975} {
		want := gam.Quantile(q)
		got := post.Quantile(0, q)
		// Standard error of a sample quantile: √(q(1−q)/ESS)/density.
		tol := 4 * math.Sqrt(q*(1-q)/post.ESS[0]) / gam.Prob(want)
		if math.Abs(got-want) > tol {
			t.Errorf("quantile %v: %v, want %v ± %v", q, got, want, tol)
		}
	}
	if post.RHat[0] > 1.02 {
		t.Errorf("R̂ %v", post.RHat[0])
	}
}

func TestSampleDeterministic(t *testing.T) {
	obj := gammaTarget{k: 3}
	est, _ := Fit(obj, FitOptions{})
	a, _ := Sample(obj, est, nil, SampleOptions{Steps: 50, Seed: 5})
	b, _ := Sample(obj, est, nil, SampleOptions{Steps: 50, Seed: 5})
	for i := range a.Theta {
		if a.Theta[i] != b.Theta[i] {
			t.Fatalf("draw %d differs between runs with the same seed", i)
		}
	}
}

func TestSplitRHatDetectsDisagreement(t *testing.T) {
	a := make([]float64, 200)
	b := make([]float64, 200)
	for i := range a {
		a[i] = math.Sin(float64(i))
		b[i] = 5 + math.Sin(float64(i))
	}
	if r := splitRHat([][]float64{a, b}); r < 2 {
		t.Errorf("R̂ of two chains around 0 and 5 is %v", r)
	}
	if r := splitRHat([][]float64{a, a}); r > 1.01 {
		t.Errorf("R̂ of identical stationary chains is %v", r)
	}
}

func TestSampleRefusesBoundary(t *testing.T) {
	obj := atZero{n: 100}
	est, err := Fit(obj, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Sample(obj, est, nil, SampleOptions{Steps: 10}); err == nil || !strings.Contains(err.Error(), "v is at the boundary") {
		t.Errorf("error %v, want one naming v at its boundary", err)
	}
}
