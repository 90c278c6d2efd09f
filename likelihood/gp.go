package likelihood

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models/kernel"
)

// GP is the log evidence of Gaussian-process regression on C target columns that
// share one kernel: the infinite-width kernel of an architecture plus noise σ_ε² I.
// With K_y = K + σ_ε² I = LLᵀ and A = K_y⁻¹ Y,
//
//	log p(Y) = −½ tr(YᵀA) − C Σ log L_ii − (CP/2) log 2π,
//	∂ log p / ∂θ = ½ tr[(AAᵀ − C K_y⁻¹) ∂K_y/∂θ].
//
// Its parameters are σ_w², σ_b² and σ_ε², each on a log scale. For classification the
// targets are centred one-hot codes of the labels (OneHot). A GP is not safe for
// concurrent use.
type GP struct {
	Arch    kernel.Arch // the architecture; its SigmaW2 and SigmaB2 are the initial values
	Noise   float64     // initial noise variance σ_ε²
	X       []float64   // training features, row-major P×D
	D       int
	Y       *mat.Dense // P×C targets
	Workers int        // parallel workers for the kernel; 0 means GOMAXPROCS

	jitter float64
	err    error
	// The kernel of the last evaluation: evaluations that change only the noise (a
	// noise scan, finite-difference Hessians) reuse it.
	cached     *kernel.Kernel
	cachedArch kernel.Arch
}

// kernel returns the training kernel of a, with derivatives when grad is set.
func (g *GP) kernel(a kernel.Arch, grad bool) (*kernel.Kernel, error) {
	// Only the variances change between evaluations (comparing whole Archs would panic
	// on a φ holding functions).
	same := g.cachedArch.SigmaW2 == a.SigmaW2 && g.cachedArch.SigmaB2 == a.SigmaB2
	if g.cached != nil && same && (g.cached.DW != nil || !grad) {
		return g.cached, nil
	}
	k, err := kernel.Compute(a, g.X, g.D, kernel.Options{Grad: grad, Workers: g.Workers})
	if err != nil {
		return nil, err
	}
	g.cached, g.cachedArch = k, a
	return k, nil
}

// NewGP returns the evidence of targets y (P×C) at the P rows of x (row-major, d
// columns) under architecture a with initial noise variance noise.
func NewGP(a kernel.Arch, x []float64, d int, y *mat.Dense, noise float64) (*GP, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if d < 1 || len(x)%d != 0 {
		return nil, fmt.Errorf("likelihood: %d feature values do not form rows of %d features", len(x), d)
	}
	p, _ := y.Dims()
	if p != len(x)/d {
		return nil, fmt.Errorf("likelihood: %d targets for %d training points", p, len(x)/d)
	}
	if p < 2 {
		return nil, fmt.Errorf("likelihood: Gaussian-process evidence needs at least 2 training points, got %d", p)
	}
	if !(noise > 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("likelihood: noise variance must be positive and finite, got %v", noise)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("likelihood: feature %d of training row %d is %v; remove or impute non-finite features", i%d, i/d, v)
		}
	}
	return &GP{Arch: a, Noise: noise, X: x, D: d, Y: y}, nil
}

// OneHot returns the centred one-hot codes of labels in 0..classes-1: 1 − 1/C at the
// label's column and −1/C elsewhere, so that every column has prior mean zero.
func OneHot(labels []int, classes int) (*mat.Dense, error) {
	if classes < 2 {
		return nil, fmt.Errorf("likelihood: classification needs at least 2 classes, got %d", classes)
	}
	y := mat.NewDense(len(labels), classes, nil)
	for i, l := range labels {
		if l < 0 || l >= classes {
			return nil, fmt.Errorf("likelihood: label %d of example %d is outside 0..%d", l, i, classes-1)
		}
		for c := 0; c < classes; c++ {
			y.Set(i, c, -1/float64(classes))
		}
		y.Set(i, l, 1-1/float64(classes))
	}
	return y, nil
}

// Parameter names of a GP.
const (
	ParamSigmaW2 = "sw2"
	ParamSigmaB2 = "sb2"
	ParamNoise   = "noise"
)

// Params returns σ_w², σ_b² and σ_ε² on log scales, initialised from Arch and Noise.
func (g *GP) Params() []Param {
	return []Param{
		{Name: ParamSigmaW2, Transform: Log, Init: g.Arch.SigmaW2},
		{Name: ParamSigmaB2, Transform: Log, Init: math.Max(g.Arch.SigmaB2, 1e-6)},
		{Name: ParamNoise, Transform: Log, Init: g.Noise},
	}
}

// At returns the architecture and noise variance at unconstrained coordinates theta.
func (g *GP) At(theta []float64) (kernel.Arch, float64) {
	a := g.Arch
	a.SigmaW2, a.SigmaB2 = math.Exp(theta[0]), math.Exp(theta[1])
	return a, math.Exp(theta[2])
}

// Err returns why the last Eval returned −Inf (a kernel that is not positive definite
// even with jitter, or non-finite hyperparameters), or nil.
func (g *GP) Err() error { return g.err }

// Jitter returns the jitter the last Eval added to the diagonal of K_y, 0 when none.
func (g *GP) Jitter() float64 { return g.jitter }

// Eval returns the log evidence at theta = (log σ_w², log σ_b², log σ_ε²) and, when
// grad is non-nil, its gradient with respect to theta. It returns −Inf, with the
// reason in Err, when the kernel cannot be factorised.
func (g *GP) Eval(theta, grad []float64) float64 {
	g.err = nil
	a, noise := g.At(theta)
	fail := func(err error) float64 {
		g.err = err
		for i := range grad {
			grad[i] = 0
		}
		return math.Inf(-1)
	}
	if a.Validate() != nil || !(noise > 0) || math.IsInf(noise, 0) {
		return fail(fmt.Errorf("likelihood: hyperparameters out of range: sw2=%g sb2=%g noise=%g", a.SigmaW2, a.SigmaB2, noise))
	}
	k, err := g.kernel(a, grad != nil)
	if err != nil {
		return fail(err)
	}
	p := k.K.SymmetricDim()
	ky := mat.NewSymDense(p, nil)
	ky.CopySym(k.K)
	for i := 0; i < p; i++ {
		ky.SetSym(i, i, ky.At(i, i)+noise)
	}
	chol, err := NewChol(ky)
	if err != nil {
		return fail(err)
	}
	g.jitter = chol.Jitter
	var alpha mat.Dense
	if err := chol.SolveTo(&alpha, g.Y); err != nil {
		return fail(fmt.Errorf("likelihood: solving with the kernel matrix: %w", err))
	}
	_, c := g.Y.Dims()
	ll := -0.5*mat.Sum(mulElem(g.Y, &alpha)) - 0.5*float64(c)*chol.LogDet() - 0.5*float64(c*p)*math.Log(2*math.Pi)
	if grad == nil {
		return ll
	}
	// W = AAᵀ − C K_y⁻¹; each gradient is ½ Σ_ij W_ij ∂K_ij, by the chain rule times σ².
	var w mat.SymDense
	if err := chol.InverseTo(&w); err != nil {
		return fail(fmt.Errorf("likelihood: inverting the kernel matrix: %w", err))
	}
	w.ScaleSym(-float64(c), &w)
	w.SymRankK(&w, 1, &alpha)
	var tr float64
	for i := 0; i < p; i++ {
		tr += w.At(i, i)
	}
	grad[0] = 0.5 * symDot(&w, k.DW) * a.SigmaW2
	grad[1] = 0.5 * symDot(&w, k.DB) * a.SigmaB2
	grad[2] = 0.5 * tr * noise
	return ll
}

// symDot returns Σ_ij a_ij b_ij of two symmetric matrices from their upper triangles.
func symDot(a, b *mat.SymDense) float64 {
	ra, rb := a.RawSymmetric(), b.RawSymmetric()
	var diag, off float64
	for i := 0; i < ra.N; i++ {
		x, y := ra.Data[i*ra.Stride:i*ra.Stride+ra.N], rb.Data[i*rb.Stride:i*rb.Stride+rb.N]
		diag += x[i] * y[i]
		for j := i + 1; j < ra.N; j++ {
			off += x[j] * y[j]
		}
	}
	return diag + 2*off
}

func mulElem(a, b mat.Matrix) *mat.Dense {
	var m mat.Dense
	m.MulElem(a, b)
	return &m
}

// GPPosterior is the posterior of the latent outputs at test points.
type GPPosterior struct {
	Mean   *mat.Dense // Q×C posterior means k*ᵀ K_y⁻¹ Y
	Var    []float64  // latent posterior variance of each test point, shared by the C columns
	Noise  float64    // σ_ε²: add it to Var for the predictive variance of a target
	Jitter float64    // jitter added to K_y, 0 when none
}

// Predict returns the posterior at the rows of xTest (row-major, D columns) for the
// hyperparameters at theta. Train and test kernels come from one kernel computation.
func (g *GP) Predict(theta []float64, xTest []float64) (*GPPosterior, error) {
	if len(xTest)%g.D != 0 {
		return nil, fmt.Errorf("likelihood: %d test feature values do not form rows of %d features", len(xTest), g.D)
	}
	a, noise := g.At(theta)
	p, q := len(g.X)/g.D, len(xTest)/g.D
	all := make([]float64, 0, len(g.X)+len(xTest))
	all = append(append(all, g.X...), xTest...)
	k, err := kernel.Compute(a, all, g.D, kernel.Options{Workers: g.Workers})
	if err != nil {
		return nil, err
	}
	ky := mat.NewSymDense(p, nil)
	ky.CopySym(k.K.SliceSym(0, p))
	for i := 0; i < p; i++ {
		ky.SetSym(i, i, ky.At(i, i)+noise)
	}
	chol, err := NewChol(ky)
	if err != nil {
		return nil, err
	}
	var alpha mat.Dense
	if err := chol.SolveTo(&alpha, g.Y); err != nil {
		return nil, fmt.Errorf("likelihood: solving with the kernel matrix: %w", err)
	}
	cross := mat.NewDense(p, q, nil) // K(train, test)
	for i := 0; i < p; i++ {
		for j := 0; j < q; j++ {
			cross.Set(i, j, k.K.At(i, p+j))
		}
	}
	post := &GPPosterior{Mean: &mat.Dense{}, Var: make([]float64, q), Noise: noise, Jitter: chol.Jitter}
	post.Mean.Mul(cross.T(), &alpha)
	// Var = k** − |L⁻¹k*|².
	var l mat.TriDense
	chol.LTo(&l)
	var v mat.Dense
	if err := v.Solve(&l, cross); err != nil {
		return nil, fmt.Errorf("likelihood: triangular solve with the kernel factor: %w", err)
	}
	for j := 0; j < q; j++ {
		col := mat.Col(nil, j, &v)
		post.Var[j] = math.Max(k.K.At(p+j, p+j)-floatsDot(col, col), 0)
	}
	return post, nil
}

func floatsDot(a, b []float64) float64 {
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}
