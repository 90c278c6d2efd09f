package infer

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/likelihood"
)

// z95 is the standard normal quantile of 0.975.
const z95 = 1.959963984540054

// Uncertainty describes the uncertainty of an estimate: standard errors, central 95%
// intervals in natural parameters, and the covariance and correlation of the
// unconstrained coordinates.
type Uncertainty struct {
	Method   string // "laplace", "mcmc", ...
	Names    []string
	Estimate []float64 // natural values (the optimum, or the posterior median for mcmc)
	SE       []float64 // standard errors of the natural values
	Lower    []float64 // 95% interval
	Upper    []float64
	Cov      *mat.SymDense // covariance of the unconstrained coordinates
	Corr     *mat.SymDense // correlation of the unconstrained coordinates
}

// Laplace approximates the posterior at the optimum est by a Gaussian in the
// unconstrained coordinates with covariance (−H)⁻¹, H the Hessian of the
// log-likelihood. Intervals are mapped through each parameter's transform, so they are
// log-normal for Log-transformed parameters and stay inside the bounds of Logit ones;
// standard errors of natural values are by the delta method. Parameters at the
// boundary of their range (est.Boundary) get a one-sided interval instead.
func Laplace(obj likelihood.Objective, est *Estimate) (*Uncertainty, error) {
	h := Hessian(obj, est.Theta)
	bd := est.Boundary
	if bd == nil {
		bd = make([]bool, len(est.Theta))
	}
	free := interior(bd)
	neg := mat.NewSymDense(len(free), nil)
	params := make([]likelihood.Param, len(free))
	for a, i := range free {
		params[a] = est.Params[i]
		for b, j := range free[:a+1] {
			neg.SetSym(a, b, -h.At(i, j))
		}
	}
	cov := mat.NewSymDense(len(est.Theta), nil)
	if len(free) > 0 {
		c, err := invertPD(neg, params)
		if err != nil {
			return nil, err
		}
		for a, i := range free {
			for b, j := range free[:a+1] {
				cov.SetSym(i, j, c.At(a, b))
			}
		}
	}
	return FromCovariance("laplace", obj, est, cov)
}

// invertPD inverts a symmetric matrix that must be positive definite, naming the
// parameters with non-positive curvature when it is not.
func invertPD(a *mat.SymDense, params []likelihood.Param) (*mat.SymDense, error) {
	var ch mat.Cholesky
	if !ch.Factorize(a) {
		var bad []string
		for i, p := range params {
			if !(a.At(i, i) > 0) {
				bad = append(bad, p.Name)
			}
		}
		if len(bad) == 0 {
			return nil, errors.New("infer: the Hessian at the optimum is not negative definite: the parameters are not jointly identified (collinear); fix one of them or give more data")
		}
		return nil, fmt.Errorf("infer: the log-likelihood has no curvature in %s at the optimum: not identified by these data; fix it or give more data", strings.Join(bad, ", "))
	}
	var cov mat.SymDense
	if err := ch.InverseTo(&cov); err != nil {
		return nil, fmt.Errorf("infer: inverting the Hessian: %w", err)
	}
	return &cov, nil
}

// FromCovariance builds the standard errors, 95% intervals and correlation of est from a
// covariance cov of its unconstrained coordinates (from the Hessian, a sandwich or a
// resampling estimator). For a parameter at the boundary of its range (est.Boundary)
// the interval runs from the bound to where the log-likelihood of obj has dropped by
// 1.92 (half the 95% quantile of χ²₁) with the other parameters held at est, and the
// standard error is NaN.
func FromCovariance(method string, obj likelihood.Objective, est *Estimate, cov *mat.SymDense) (*Uncertainty, error) {
	return fromCovariance(method, obj, est, cov, nil)
}

// fromCovariance is FromCovariance with the interval half-width quantile of each
// parameter in q (nil: the normal 1.96 for all), e.g. Student-t quantiles for a
// covariance estimated with few degrees of freedom.
func fromCovariance(method string, obj likelihood.Objective, est *Estimate, cov *mat.SymDense, q []float64) (*Uncertainty, error) {
	p := len(est.Theta)
	if r := cov.SymmetricDim(); r != p {
		return nil, fmt.Errorf("infer: covariance is %d×%d for %d parameters", r, r, p)
	}
	u := &Uncertainty{
		Method:   method,
		Names:    make([]string, p),
		Estimate: append([]float64(nil), est.Value...),
		SE:       make([]float64, p),
		Lower:    make([]float64, p),
		Upper:    make([]float64, p),
		Cov:      cov,
		Corr:     mat.NewSymDense(p, nil),
	}
	for i, par := range est.Params {
		u.Names[i] = par.Name
		if i < len(est.Boundary) && est.Boundary[i] {
			u.SE[i] = math.NaN()
			u.Lower[i], u.Upper[i] = ordered(par.Natural(math.Inf(-1)), par.Natural(upperLR(obj, est, i)))
			u.Corr.SetSym(i, i, 1)
			continue
		}
		v := cov.At(i, i)
		if !(v >= 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("infer: variance %v of parameter %s is not a finite non-negative number", v, par.Name)
		}
		s := math.Sqrt(v)
		t := est.Theta[i]
		z := z95
		if q != nil {
			z = q[i]
		}
		u.SE[i] = math.Abs(par.Deriv(t)) * s
		u.Lower[i], u.Upper[i] = ordered(par.Natural(t-z*s), par.Natural(t+z*s))
		for j := 0; j <= i; j++ {
			d := math.Sqrt(v * cov.At(j, j))
			c := 0.0
			if d > 0 {
				c = cov.At(i, j) / d
			}
			u.Corr.SetSym(i, j, c)
		}
	}
	return u, nil
}

// upperLR returns the coordinate θ_i above est at which the log-likelihood has dropped
// by 1.92 from its maximum, the others held fixed, by bracketing and bisection.
func upperLR(obj likelihood.Objective, est *Estimate, i int) float64 {
	const drop = z95 * z95 / 2
	x := append([]float64(nil), est.Theta...)
	at := func(t float64) float64 { x[i] = t; return est.LogLik - obj.Eval(x, nil) }
	lo, hi := est.Theta[i], est.Theta[i]+1
	for k := 0; k < 200 && !(at(hi) > drop); k++ {
		lo, hi = hi, hi+math.Max(1, hi-est.Theta[i])
	}
	for k := 0; k < 60; k++ {
		mid := 0.5 * (lo + hi)
		if at(mid) > drop {
			hi = mid
		} else {
			lo = mid
		}
	}
	return 0.5 * (lo + hi)
}

func ordered(a, b float64) (float64, float64) {
	if a > b {
		return b, a
	}
	return a, b
}

// Hessian returns the Hessian of obj at theta by central finite differences of its
// analytic gradient, symmetrised. Each step is scaled to its coordinate and chosen near
// the cube root of the machine epsilon, which balances truncation against rounding.
func Hessian(obj likelihood.Objective, theta []float64) *mat.SymDense {
	h, _ := hessian(obj, theta)
	return h
}

// hessian is Hessian that also returns, per coordinate, the largest asymmetry
// |H_ij − H_ji| of the unsymmetrised differences: a measure of their rounding noise.
func hessian(obj likelihood.Objective, theta []float64) (*mat.SymDense, []float64) {
	p := len(theta)
	x := append([]float64(nil), theta...)
	gp := make([]float64, p)
	gm := make([]float64, p)
	cols := mat.NewDense(p, p, nil)
	for j := 0; j < p; j++ {
		h := 1e-5 * math.Max(1, math.Abs(theta[j]))
		x[j] = theta[j] + h
		obj.Eval(x, gp)
		x[j] = theta[j] - h
		obj.Eval(x, gm)
		x[j] = theta[j]
		for i := 0; i < p; i++ {
			cols.Set(i, j, (gp[i]-gm[i])/(2*h))
		}
	}
	hs := mat.NewSymDense(p, nil)
	noise := make([]float64, p)
	for i := 0; i < p; i++ {
		for j := 0; j <= i; j++ {
			hs.SetSym(i, j, 0.5*(cols.At(i, j)+cols.At(j, i)))
			d := math.Abs(cols.At(i, j) - cols.At(j, i))
			noise[i] = math.Max(noise[i], d)
			noise[j] = math.Max(noise[j], d)
		}
	}
	return hs, noise
}

// Jackknife returns the delete-a-block jackknife covariance of the unconstrained
// coordinates of the optimum est: leaveOut(k) is the objective with block k of the
// data left out, for k < blocks, and each is maximised from est. With K blocks,
//
//	V = (K−1)/K Σ_k (θ̂_(k) − θ̄)(θ̂_(k) − θ̄)ᵀ,  θ̄ the mean of the θ̂_(k).
//
// Unlike the Hessian, it measures the spread the data actually show between blocks, so
// it stays right when the likelihood misstates the dependence between observations.
// It has K−1 degrees of freedom.
func Jackknife(est *Estimate, blocks int, leaveOut func(k int) (likelihood.Objective, error)) (*mat.SymDense, error) {
	if blocks < 2 {
		return nil, fmt.Errorf("infer: jackknife needs at least 2 blocks, got %d", blocks)
	}
	p := len(est.Theta)
	thetas := make([][]float64, blocks)
	mean := make([]float64, p)
	for k := range thetas {
		obj, err := leaveOut(k)
		if err != nil {
			return nil, fmt.Errorf("infer: jackknife block %d: %w", k, err)
		}
		e, err := Fit(obj, FitOptions{Init: est.Value})
		if err != nil {
			return nil, fmt.Errorf("infer: jackknife block %d left out: %w", k, err)
		}
		thetas[k] = e.Theta
		for i, t := range e.Theta {
			mean[i] += t / float64(blocks)
		}
	}
	// A coordinate at the boundary has no finite spread to measure: its rows stay zero
	// and FromCovariance gives it a one-sided interval.
	free := interior(append(make([]bool, 0, p), est.Boundary...))
	if est.Boundary == nil {
		free = interior(make([]bool, p))
	}
	cov := mat.NewSymDense(p, nil)
	c := float64(blocks-1) / float64(blocks)
	for _, t := range thetas {
		for a, i := range free {
			for _, j := range free[:a+1] {
				cov.SetSym(i, j, cov.At(i, j)+c*(t[i]-mean[i])*(t[j]-mean[j]))
			}
		}
	}
	return cov, nil
}
