package infer

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/ldfit/ldfit/likelihood"
)

// normalSample is the log-likelihood of (μ, σ) for independent normal draws, with σ
// log-transformed. Its maximum and Fisher information are known in closed form.
type normalSample struct{ x []float64 }

func newNormalSample(n int, mu, sigma float64, seed uint64) *normalSample {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n)
	for i := range x {
		x[i] = mu + sigma*rng.NormFloat64()
	}
	return &normalSample{x}
}

func (o *normalSample) Params() []likelihood.Param {
	return []likelihood.Param{
		{Name: "mu", Transform: likelihood.Identity, Init: 0},
		{Name: "sigma", Transform: likelihood.Log, Init: 1},
	}
}

func (o *normalSample) Eval(theta, grad []float64) float64 {
	mu, ls := theta[0], theta[1]
	v := math.Exp(2 * ls)
	var ss, s float64
	for _, x := range o.x {
		d := x - mu
		ss += d * d
		s += d
	}
	n := float64(len(o.x))
	if grad != nil {
		grad[0] = s / v
		grad[1] = -n + ss/v
	}
	return -n*ls - 0.5*n*math.Log(2*math.Pi) - 0.5*ss/v
}

func TestFitNormalClosedForm(t *testing.T) {
	obj := newNormalSample(500, 3, 2, 7)
	est, err := Fit(obj, FitOptions{Restarts: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	mean, sd := stat.PopMeanStdDev(obj.x, nil)
	if math.Abs(est.Value[0]-mean) > 1e-9 || math.Abs(est.Value[1]-sd) > 1e-9 {
		t.Errorf("estimate %v, closed form (%v, %v)", est.Value, mean, sd)
	}
	if !est.Converged || len(est.Starts) != 4 {
		t.Errorf("converged %v, %d starts; status %s", est.Converged, len(est.Starts), est.Status)
	}
	for i, l := range est.Starts {
		if math.Abs(l-est.LogLik) > 1e-6 {
			t.Errorf("start %d reached %v, best %v", i, l, est.LogLik)
		}
	}

	lap, err := Laplace(obj, est)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(len(obj.x))
	// Fisher information at the maximum: n/σ² for μ, 2n for log σ, uncorrelated.
	wantSE := []float64{sd / math.Sqrt(n), sd / math.Sqrt(2*n)}
	for i := range wantSE {
		if math.Abs(lap.SE[i]/wantSE[i]-1) > 1e-6 {
			t.Errorf("se[%d] = %v, want %v", i, lap.SE[i], wantSE[i])
		}
	}
	if c := lap.Corr.At(0, 1); math.Abs(c) > 1e-6 {
		t.Errorf("correlation %v, want 0", c)
	}
	if lo, hi := lap.Lower[0], lap.Upper[0]; math.Abs(lo-(mean-z95*wantSE[0])) > 1e-6 || math.Abs(hi-(mean+z95*wantSE[0])) > 1e-6 {
		t.Errorf("interval for mu [%v, %v]", lo, hi)
	}
	// Log-normal interval for σ: σ̂·exp(±1.96/√(2n)).
	f := math.Exp(z95 / math.Sqrt(2*n))
	if math.Abs(lap.Lower[1]-sd/f) > 1e-6 || math.Abs(lap.Upper[1]-sd*f) > 1e-6 {
		t.Errorf("interval for sigma [%v, %v], want [%v, %v]", lap.Lower[1], lap.Upper[1], sd/f, sd*f)
	}
}

// flat has no maximum: the log-likelihood grows without bound along θ.
type flat struct{}

func (flat) Params() []likelihood.Param { return []likelihood.Param{{Name: "a", Init: 0}} }
func (flat) Eval(theta, grad []float64) float64 {
	if grad != nil {
		grad[0] = 1
	}
	return theta[0]
}

func TestFitNotConverged(t *testing.T) {
	est, err := Fit(flat{}, FitOptions{MaxIter: 20})
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("error %v, want ErrNotConverged", err)
	}
	if est == nil || est.Converged {
		t.Fatalf("estimate %+v, want one with Converged false", est)
	}
}

func TestFitBadInit(t *testing.T) {
	obj := newNormalSample(10, 0, 1, 1)
	if _, err := Fit(obj, FitOptions{Init: []float64{0, -1}}); err == nil {
		t.Error("negative initial sigma accepted")
	}
	if _, err := Fit(obj, FitOptions{Init: []float64{0}}); err == nil {
		t.Error("wrong number of initial values accepted")
	}
}

func TestJackknifeMeanClosedForm(t *testing.T) {
	// For the mean of K equal blocks the jackknife variance is Σ(m_k − m̄)²/(K(K−1)),
	// m_k the block means.
	obj := newNormalSample(400, 1, 3, 9)
	est, err := Fit(obj, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const K = 8
	n := len(obj.x) / K
	cov, err := Jackknife(est, K, func(k int) (likelihood.Objective, error) {
		rest := append(append([]float64(nil), obj.x[:k*n]...), obj.x[(k+1)*n:]...)
		return &normalSample{rest}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := make([]float64, K)
	for k := range m {
		m[k] = stat.Mean(obj.x[k*n:(k+1)*n], nil)
	}
	want := stat.Variance(m, nil) / K
	if got := cov.At(0, 0); math.Abs(got/want-1) > 1e-6 {
		t.Errorf("jackknife variance of the mean %v, want %v", got, want)
	}
}

// atZero has its maximum on the boundary v = 0 of its second, Log-transformed
// parameter: log L = −(μ−1)²/2 − n·v.
type atZero struct{ n float64 }

func (o atZero) Params() []likelihood.Param {
	return []likelihood.Param{{Name: "mu"}, {Name: "v", Transform: likelihood.Log, Init: 1}}
}

func (o atZero) Eval(theta, grad []float64) float64 {
	v := math.Exp(theta[1])
	if grad != nil {
		grad[0] = -(theta[0] - 1)
		grad[1] = -o.n * v
	}
	return -0.5*(theta[0]-1)*(theta[0]-1) - o.n*v
}

func TestFitBoundary(t *testing.T) {
	obj := atZero{n: 1000}
	est, err := Fit(obj, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !est.Boundary[1] || est.Boundary[0] {
		t.Fatalf("boundary %v, want [false true]", est.Boundary)
	}
	if est.Value[1] > 1e-5/obj.n || math.Abs(est.Value[0]-1) > 1e-6 {
		t.Errorf("estimate %v, want (1, 0)", est.Value)
	}
	lap, err := Laplace(obj, est)
	if err != nil {
		t.Fatal(err)
	}
	// One-sided interval: the log-likelihood drops by 1.92 at v = 1.92/n.
	if want := z95 * z95 / 2 / obj.n; lap.Lower[1] != 0 || math.Abs(lap.Upper[1]/want-1) > 1e-3 {
		t.Errorf("interval for v [%v, %v], want [0, %v]", lap.Lower[1], lap.Upper[1], want)
	}
	if math.Abs(lap.SE[0]-1) > 1e-6 || !math.IsNaN(lap.SE[1]) {
		t.Errorf("standard errors %v, want [1 NaN]", lap.SE)
	}
}

// scales has an interior optimum v = 0.002 whose curvature in log v (0.01) is 1e-12 of
// that of the other parameter: it must not be taken for a boundary.
type scales struct{}

func (scales) Params() []likelihood.Param {
	return []likelihood.Param{{Name: "mu"}, {Name: "v", Transform: likelihood.Log, Init: 1}}
}

func (scales) Eval(theta, grad []float64) float64 {
	d := theta[1] - math.Log(0.002)
	if grad != nil {
		grad[0] = -1e10 * (theta[0] - 1)
		grad[1] = -0.01 * d
	}
	return -0.5e10*(theta[0]-1)*(theta[0]-1) - 0.005*d*d
}

func TestFitDisparateScales(t *testing.T) {
	est, err := Fit(scales{}, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if est.Boundary[1] || math.Abs(est.Value[1]/0.002-1) > 1e-4 {
		t.Errorf("v = %v, boundary %v; want the interior optimum 0.002", est.Value[1], est.Boundary)
	}
	lap, err := Laplace(scales{}, est)
	if err != nil {
		t.Fatal(err)
	}
	if se := math.Sqrt(lap.Cov.At(1, 1)); math.Abs(se-10) > 1e-3 {
		t.Errorf("standard error of log v %v, want 10", se)
	}
}
