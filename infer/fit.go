package infer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/ldfit/ldfit/likelihood"
)

// FitOptions controls Fit. The zero value is usable.
type FitOptions struct {
	// Restarts is the number of extra starts, jittered around the initial point, run
	// after the start at the initial point itself; the best optimum is kept.
	Restarts int
	// Seed seeds the jitter of the restarts.
	Seed uint64
	// Init holds initial natural parameter values; nil uses each Param's Init.
	Init []float64
	// MaxIter bounds the L-BFGS iterations of each start (default 1000).
	MaxIter int
	// GradTol is the largest infinity norm of the gradient of the log-likelihood in
	// unconstrained coordinates at which a start stops (default 1e-6).
	GradTol float64
}

// Estimate is a maximum of an objective.
type Estimate struct {
	Params []likelihood.Param
	Theta  []float64 // unconstrained optimum
	Value  []float64 // natural values
	LogLik float64

	Status     string  // how the optimiser stopped, and why the result is (not) accepted
	Iterations int     // L-BFGS iterations of the kept start, plus Newton polishing steps
	GradNorm   float64 // infinity norm of the gradient at Theta
	// Decrement is the log-likelihood still to gain at Theta: the Newton decrement
	// ½ gᵀ(−H)⁻¹g over the interior coordinates plus |g_i| for each Boundary one. It
	// is scale-free, unlike GradNorm, and NaN when the Hessian is not negative definite
	// over the interior coordinates.
	Decrement float64
	Converged bool
	// Boundary marks the parameters whose optimum is the boundary of their range (a
	// Log-transformed value tending to 0): their estimate is the bound itself.
	Boundary []bool
	// Starts holds the log-likelihood reached from every start, the first from the
	// initial point; their agreement shows whether the optimum is unique.
	Starts []float64
}

// ErrNotConverged is returned, wrapped, by Fit when the best optimum found does not
// satisfy the convergence criteria. Fit then also returns the estimate, with
// Converged false, so that a caller can inspect or report it; it must not be used
// as a converged result.
var ErrNotConverged = errors.New("optimisation did not converge")

// decrementTol is the Newton decrement, in nats, under which an optimum is accepted:
// a log-likelihood difference this small is far below any statistical resolution.
const decrementTol = 1e-5

// jitterScale is the standard deviation, in unconstrained coordinates, of the random
// displacement of restarts from the initial point.
const jitterScale = 0.5

// Fit maximises obj by L-BFGS from the initial point and from opt.Restarts seeded
// jittered points, polishes the best optimum with Newton steps on a finite-difference
// Hessian of the analytic gradient, and returns it.
//
// An optimum is accepted (Converged) when the gradient norm is below GradTol or the
// log-likelihood still to gain is below 1e-5 nats: the Newton decrement over the
// interior coordinates plus, for a coordinate drifting to the boundary of its range,
// its gradient (see Estimate.Boundary). Otherwise Fit returns the estimate with
// Converged false together with an error wrapping ErrNotConverged. Any other error
// (bad initial point, non-finite objective at every start) comes with a nil estimate.
func Fit(obj likelihood.Objective, opt FitOptions) (*Estimate, error) {
	params := obj.Params()
	if len(params) == 0 {
		return nil, errors.New("infer: objective has no parameters")
	}
	opt = opt.withDefaults()
	theta0, err := initialTheta(params, opt.Init)
	if err != nil {
		return nil, err
	}
	if v := obj.Eval(theta0, nil); math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("infer: log-likelihood is %v at the initial point %v; give finite initial values inside the parameters' ranges", v, naturalOf(params, theta0))
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6669745f73746172))
	var best *Estimate
	var starts []float64
	for s := 0; s <= opt.Restarts; s++ {
		x := append([]float64(nil), theta0...)
		if s > 0 {
			for i := range x {
				x[i] += jitterScale * rng.NormFloat64()
			}
		}
		e := minimize(obj, params, x, opt)
		if e == nil {
			starts = append(starts, math.Inf(-1))
			continue
		}
		starts = append(starts, e.LogLik)
		if best == nil || e.LogLik > best.LogLik {
			best = e
		}
	}
	if best == nil {
		return nil, fmt.Errorf("infer: the log-likelihood was not finite from any of %d starts", opt.Restarts+1)
	}
	best.Starts = starts
	polish(obj, best, opt.GradTol)
	if !best.Converged {
		return best, fmt.Errorf("infer: %w: %s (gradient norm %.3g, Newton decrement %.3g nats at %v); raise MaxIter, add restarts or check the data", ErrNotConverged, best.Status, best.GradNorm, best.Decrement, best.Value)
	}
	return best, nil
}

func (o FitOptions) withDefaults() FitOptions {
	if o.MaxIter <= 0 {
		o.MaxIter = 1000
	}
	if o.GradTol <= 0 {
		o.GradTol = 1e-6
	}
	if o.Restarts < 0 {
		o.Restarts = 0
	}
	return o
}

func initialTheta(params []likelihood.Param, init []float64) ([]float64, error) {
	if init != nil && len(init) != len(params) {
		return nil, fmt.Errorf("infer: %d initial values for %d parameters", len(init), len(params))
	}
	theta := make([]float64, len(params))
	for i, p := range params {
		x := p.Init
		if init != nil {
			x = init[i]
		}
		t := p.Theta(x)
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, fmt.Errorf("infer: initial value %v of parameter %s is outside its range", x, p.Name)
		}
		theta[i] = t
	}
	return theta, nil
}

func naturalOf(params []likelihood.Param, theta []float64) []float64 {
	x := make([]float64, len(theta))
	for i, p := range params {
		x[i] = p.Natural(theta[i])
	}
	return x
}

// negated turns a log-likelihood into the problem gonum minimises. gonum asks for the
// value and the gradient at the same point in two calls; the cache makes that one
// evaluation of the objective.
type negated struct {
	obj        likelihood.Objective
	x, g       []float64
	f          float64
	valid      bool
	evaluation int
}

func (n *negated) eval(x []float64) {
	if n.valid && floats.Equal(x, n.x) {
		return
	}
	if n.x == nil {
		n.x = make([]float64, len(x))
		n.g = make([]float64, len(x))
	}
	copy(n.x, x)
	n.f = -n.obj.Eval(x, n.g)
	if math.IsNaN(n.f) {
		// A NaN stops gonum's line search for good; +Inf makes it step back.
		n.f = math.Inf(1)
	}
	floats.Scale(-1, n.g)
	n.valid = true
	n.evaluation++
}

func (n *negated) problem() optimize.Problem {
	return optimize.Problem{
		Func: func(x []float64) float64 { n.eval(x); return n.f },
		Grad: func(g, x []float64) { n.eval(x); copy(g, n.g) },
	}
}

// minimize runs one L-BFGS start and returns its end point, or nil when the objective
// was not finite there.
func minimize(obj likelihood.Objective, params []likelihood.Param, x []float64, opt FitOptions) *Estimate {
	n := &negated{obj: obj}
	settings := &optimize.Settings{
		GradientThreshold: opt.GradTol,
		MajorIterations:   opt.MaxIter,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-12, Relative: 1e-14, Iterations: 25},
	}
	res, err := optimize.Minimize(n.problem(), x, settings, &optimize.LBFGS{})
	e := &Estimate{Params: params}
	switch {
	case res == nil:
		e.Theta = x
		e.Status = fmt.Sprint(err)
	default:
		e.Theta = res.X
		e.Iterations = res.Stats.MajorIterations
		e.Status = res.Status.String()
		if err != nil {
			// gonum reports a line search that can make no more progress as an error;
			// whether the point is an optimum is decided by polish, not here.
			e.Status += ": " + err.Error()
		}
	}
	e.LogLik = obj.Eval(e.Theta, nil)
	if math.IsNaN(e.LogLik) || math.IsInf(e.LogLik, 0) {
		return nil
	}
	e.Value = naturalOf(params, e.Theta)
	return e
}

// polish takes Newton steps from e on a finite-difference Hessian until the Newton
// decrement is below decrementTol, then records the convergence diagnostics.
func polish(obj likelihood.Objective, e *Estimate, gradTol float64) {
	p := len(e.Theta)
	g := make([]float64, p)
	step := 0
	for ; ; step++ {
		e.LogLik = obj.Eval(e.Theta, g)
		e.GradNorm = floats.Norm(g, math.Inf(1))
		dir, h := newtonStep(obj, e.Params, e.Theta, g)
		e.Decrement, e.Boundary = dir.decrement, dir.boundary
		if e.GradNorm <= gradTol || e.Decrement <= decrementTol || step == maxPolish {
			break
		}
		// Where the Newton step fails (a Hessian too flat or too noisy), a coordinate
		// drifting to the bound of its range is moved there directly, and otherwise
		// each coordinate takes its own Newton step, at most one unit of θ.
		moved := !math.IsNaN(e.Decrement) && lineStep(obj, e, dir.step, 1, 1e-6)
		if !moved {
			moved = boundaryStep(obj, e, g, h)
		}
		if !moved {
			moved = lineStep(obj, e, diagonalStep(g, h), 1, 1e-6)
		}
		if !moved {
			break
		}
		e.Iterations++
	}
	e.Value = naturalOf(e.Params, e.Theta)
	switch {
	case e.GradNorm <= gradTol:
		e.Converged = true
		e.Status += "; accepted: gradient norm below tolerance"
	case e.Decrement <= decrementTol:
		e.Converged = true
		e.Status += "; accepted: Newton decrement below tolerance"
	case math.IsNaN(e.Decrement):
		e.Status += "; rejected: Hessian not negative definite, the optimum is a saddle or flat"
	case step == maxPolish:
		e.Status += fmt.Sprintf("; rejected: still improving after %d Newton steps", maxPolish)
	default:
		e.Status += "; rejected: Newton steps make no further progress"
	}
}

// maxPolish bounds the Newton steps of polish.
const maxPolish = 20

// boundary reports which coordinates approach the boundary of their natural range. For
// a Log- or Logit-transformed coordinate near a bound the log-likelihood behaves as
// ℓ∞ + c·e^θ (θ → −∞, and likewise at an upper Logit bound), whose gradient and
// curvature are both c·e^θ and whose remaining gain is the gradient itself: the
// signature is a gradient pointing to the bound with a curvature no larger than it
// (plus the rounding noise of the finite-difference Hessian). The estimate is then the
// bound, within |gradient| nats.
func boundary(params []likelihood.Param, g []float64, h *mat.SymDense, noise []float64) []bool {
	b := make([]bool, len(params))
	for i, p := range params {
		toBound := p.Transform == likelihood.Logit && g[i] != 0 || p.Transform == likelihood.Log && g[i] < 0
		b[i] = toBound && -h.At(i, i) <= 2*math.Abs(g[i])+4*noise[i]
	}
	return b
}

// newton is a Newton step over the coordinates not at a boundary (zero at the others)
// with the log-likelihood it promises: the Newton decrement ½ gᵀ(−H)⁻¹g plus |g_i|
// for each boundary coordinate. The decrement is NaN when −H is not positive definite
// over the other coordinates.
type newton struct {
	step      []float64
	decrement float64
	boundary  []bool
}

// newtonStep returns the Newton step at theta, where the gradient is g, and the
// finite-difference Hessian it used.
func newtonStep(obj likelihood.Objective, params []likelihood.Param, theta, g []float64) (newton, *mat.SymDense) {
	h, noise := hessian(obj, theta)
	bd := boundary(params, g, h, noise)
	free := interior(bd)
	n := newton{step: make([]float64, len(theta)), boundary: bd}
	for i, b := range bd {
		if b {
			n.decrement += math.Abs(g[i])
		}
	}
	if len(free) == 0 {
		return n, h
	}
	neg := mat.NewSymDense(len(free), nil)
	gf := mat.NewVecDense(len(free), nil)
	for a, i := range free {
		gf.SetVec(a, g[i])
		for b, j := range free[:a+1] {
			neg.SetSym(a, b, -h.At(i, j))
		}
	}
	var ch mat.Cholesky
	var d mat.VecDense
	if !ch.Factorize(neg) || ch.SolveVecTo(&d, gf) != nil {
		n.decrement = math.NaN()
		return n, h
	}
	for a, i := range free {
		n.step[i] = d.AtVec(a)
	}
	n.decrement += 0.5 * mat.Dot(gf, &d)
	return n, h
}

// boundaryStep moves the Log- and Logit-transformed coordinates that show the
// signature of a bound approached, ℓ ≈ ℓ∞ + c·e^θ with curvature no larger than the
// gradient, towards that bound: first by 16 units of θ (a factor 1e-7 in the
// remaining gain), halving until the log-likelihood increases.
func boundaryStep(obj likelihood.Objective, e *Estimate, g []float64, h *mat.SymDense) bool {
	d := make([]float64, len(g))
	any := false
	for i, p := range e.Params {
		toBound := p.Transform == likelihood.Logit && g[i] != 0 || p.Transform == likelihood.Log && g[i] < 0
		if toBound && -h.At(i, i) <= 2*math.Abs(g[i]) {
			d[i] = math.Copysign(1, g[i])
			any = true
		}
	}
	return any && lineStep(obj, e, d, 16, 1e-3)
}

// diagonalStep returns the coordinate-wise Newton step g_i/|H_ii|, each at most one
// unit of θ.
func diagonalStep(g []float64, h *mat.SymDense) []float64 {
	d := make([]float64, len(g))
	for i := range d {
		d[i] = g[i] / math.Max(math.Abs(h.At(i, i)), math.Abs(g[i]))
	}
	return d
}

// interior returns the indices of the coordinates not at a boundary.
func interior(bd []bool) []int {
	var idx []int
	for i, b := range bd {
		if !b {
			idx = append(idx, i)
		}
	}
	return idx
}

// lineStep moves e along dir by the step first, halving it while it exceeds last, until
// the log-likelihood increases.
func lineStep(obj likelihood.Objective, e *Estimate, dir []float64, first, last float64) bool {
	x := make([]float64, len(dir))
	for t := first; t > last; t /= 2 {
		floats.AddScaledTo(x, e.Theta, t, dir)
		if v := obj.Eval(x, nil); v > e.LogLik {
			e.Theta = x
			return true
		}
	}
	return false
}
