package infer

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/ldfit/ldfit/likelihood"
)

// SampleOptions controls Sample. The zero value is usable.
type SampleOptions struct {
	Walkers int     // ensemble size (default max(4·dim, 16), rounded up to even)
	Steps   int     // ensemble moves kept after burn-in (default 2000)
	Burn    int     // ensemble moves discarded first (default Steps/2)
	Seed    uint64  // seeds the initial ensemble and every move
	Stretch float64 // scale a of the stretch move (default 2)
	// Progress, when non-nil, is called after every ensemble move with the number of
	// moves done and the total.
	Progress func(done, total int)
}

// Posterior is a sample from the posterior of an objective's parameters (the
// objective read as a log density of its unconstrained coordinates, so a flat prior in
// those coordinates).
type Posterior struct {
	Params  []likelihood.Param
	Walkers int
	Steps   int
	// Theta holds the draws in unconstrained coordinates: draw s of walker w is
	// Theta[(s*Walkers+w)*dim:][:dim].
	Theta      []float64
	Acceptance float64   // fraction of accepted moves
	ESS        []float64 // effective sample size per parameter
	RHat       []float64 // split-R̂ per parameter, treating walkers as chains
}

// Sample draws from the posterior by the affine-invariant ensemble sampler of Goodman
// and Weare (2010) with the stretch move. The walkers start from the Gaussian
// approximation start (its covariance; nil: a small ball) around the optimum est.
// The objective is evaluated on one goroutine, so it need not be safe for concurrent
// use.
//
// A parameter whose optimum is the boundary of its range (est.Boundary) is an error:
// the log-likelihood is flat towards the bound, so the posterior under a flat prior in
// the unconstrained coordinate is improper there.
func Sample(obj likelihood.Objective, est *Estimate, start *Uncertainty, opt SampleOptions) (*Posterior, error) {
	for i, b := range est.Boundary {
		if b {
			return nil, fmt.Errorf("infer: %s is at the boundary of its range (estimate %.3g): its posterior under a flat prior in the unconstrained coordinate is improper; report the one-sided Laplace interval instead", est.Params[i].Name, est.Value[i])
		}
	}
	dim := len(est.Theta)
	opt = opt.withDefaults(dim)
	rng := rand.New(rand.NewPCG(opt.Seed, 0x6d636d63))
	k := opt.Walkers
	x, lp, err := initialEnsemble(obj, est.Theta, start, k, rng)
	if err != nil {
		return nil, err
	}
	post := &Posterior{Params: est.Params, Walkers: k, Steps: opt.Steps, Theta: make([]float64, 0, opt.Steps*k*dim)}
	y := make([]float64, dim)
	accepted, total := 0, opt.Burn+opt.Steps
	for step := 0; step < total; step++ {
		for half := 0; half < 2; half++ {
			for w := half; w < k; w += 2 {
				// The partner comes from the other half, which is held fixed while this
				// half moves: that keeps the move a valid Markov chain update.
				j := 2*rng.IntN(k/2) + 1 - half
				z := stretch(rng, opt.Stretch)
				xw, xj := x[w*dim:(w+1)*dim], x[j*dim:(j+1)*dim]
				for i := range y {
					y[i] = xj[i] + z*(xw[i]-xj[i])
				}
				ly := obj.Eval(y, nil)
				if math.IsNaN(ly) {
					ly = math.Inf(-1)
				}
				if math.Log(rng.Float64()) < float64(dim-1)*math.Log(z)+ly-lp[w] {
					copy(xw, y)
					lp[w] = ly
					if step >= opt.Burn {
						accepted++
					}
				}
			}
		}
		if step >= opt.Burn {
			post.Theta = append(post.Theta, x...)
		}
		if opt.Progress != nil {
			opt.Progress(step+1, total)
		}
	}
	post.Acceptance = float64(accepted) / float64(opt.Steps*k)
	post.ESS = make([]float64, dim)
	post.RHat = make([]float64, dim)
	for i := 0; i < dim; i++ {
		chains := post.chains(i)
		post.ESS[i] = effectiveSize(chains)
		post.RHat[i] = splitRHat(chains)
	}
	return post, nil
}

func (o SampleOptions) withDefaults(dim int) SampleOptions {
	if o.Walkers <= 0 {
		o.Walkers = max(4*dim, 16)
	}
	if o.Walkers < 2*dim {
		o.Walkers = 2 * dim
	}
	o.Walkers += o.Walkers % 2
	if o.Steps <= 0 {
		o.Steps = 2000
	}
	if o.Burn <= 0 {
		o.Burn = o.Steps / 2
	}
	if !(o.Stretch > 1) {
		o.Stretch = 2
	}
	return o
}

// stretch draws z from g(z) ∝ 1/√z on [1/a, a].
func stretch(rng *rand.Rand, a float64) float64 {
	u := (a-1)*rng.Float64() + 1
	return u * u / a
}

func initialEnsemble(obj likelihood.Objective, theta []float64, start *Uncertainty, k int, rng *rand.Rand) ([]float64, []float64, error) {
	dim := len(theta)
	l := mat.NewTriDense(dim, mat.Lower, nil)
	if start != nil && start.Cov != nil {
		var ch mat.Cholesky
		if !ch.Factorize(start.Cov) {
			return nil, nil, errors.New("infer: the starting covariance of the sampler is not positive definite")
		}
		ch.LTo(l)
	} else {
		for i := 0; i < dim; i++ {
			l.SetTri(i, i, 1e-3*math.Max(1, math.Abs(theta[i])))
		}
	}
	x := make([]float64, k*dim)
	lp := make([]float64, k)
	z := make([]float64, dim)
	for w := 0; w < k; w++ {
		xw := x[w*dim : (w+1)*dim]
		ok := false
		for try := 0; try < 100 && !ok; try++ {
			for i := range z {
				z[i] = rng.NormFloat64()
			}
			for i := range xw {
				s := theta[i]
				for j := 0; j <= i; j++ {
					s += l.At(i, j) * z[j]
				}
				xw[i] = s
			}
			lp[w] = obj.Eval(xw, nil)
			ok = !math.IsNaN(lp[w]) && !math.IsInf(lp[w], 0)
		}
		if !ok {
			return nil, nil, fmt.Errorf("infer: no finite log-likelihood near the optimum %v to start walker %d", theta, w)
		}
	}
	return x, lp, nil
}

// chains returns the draws of parameter i, one slice per walker.
func (p *Posterior) chains(i int) [][]float64 {
	dim := len(p.Params)
	c := make([][]float64, p.Walkers)
	for w := range c {
		c[w] = make([]float64, p.Steps)
		for s := 0; s < p.Steps; s++ {
			c[w][s] = p.Theta[(s*p.Walkers+w)*dim+i]
		}
	}
	return c
}

// Draws returns all draws of parameter i in natural units.
func (p *Posterior) Draws(i int) []float64 {
	dim := len(p.Params)
	d := make([]float64, 0, p.Steps*p.Walkers)
	for s := i; s < len(p.Theta); s += dim {
		d = append(d, p.Params[i].Natural(p.Theta[s]))
	}
	return d
}

// Quantile returns the q-quantile of the posterior of parameter i in natural units.
func (p *Posterior) Quantile(i int, q float64) float64 {
	d := p.Draws(i)
	sort.Float64s(d)
	return stat.Quantile(q, stat.LinInterp, d, nil)
}

// Uncertainty summarises the sample: posterior medians as estimates, posterior
// standard deviations as standard errors, central 95% credible intervals, and the
// sample covariance and correlation of the unconstrained coordinates.
func (p *Posterior) Uncertainty() *Uncertainty {
	dim := len(p.Params)
	n := len(p.Theta) / dim
	u := &Uncertainty{
		Method:   "mcmc",
		Names:    make([]string, dim),
		Estimate: make([]float64, dim),
		SE:       make([]float64, dim),
		Lower:    make([]float64, dim),
		Upper:    make([]float64, dim),
		Cov:      mat.NewSymDense(dim, nil),
		Corr:     mat.NewSymDense(dim, nil),
	}
	for i, par := range p.Params {
		d := p.Draws(i)
		sort.Float64s(d)
		u.Names[i] = par.Name
		u.Estimate[i] = stat.Quantile(0.5, stat.LinInterp, d, nil)
		u.SE[i] = stat.StdDev(d, nil)
		u.Lower[i] = stat.Quantile(0.025, stat.LinInterp, d, nil)
		u.Upper[i] = stat.Quantile(0.975, stat.LinInterp, d, nil)
	}
	stat.CovarianceMatrix(u.Cov, mat.NewDense(n, dim, p.Theta), nil)
	stat.CorrelationMatrix(u.Corr, mat.NewDense(n, dim, p.Theta), nil)
	return u
}

// effectiveSize estimates the effective sample size of chains from the integrated
// autocorrelation time of their average autocorrelation function, with Sokal's
// automatic window (the smallest lag M with M ≥ 5τ(M)), as Foreman-Mackey et al.
// (2013) recommend for ensemble samplers.
func effectiveSize(chains [][]float64) float64 {
	n := len(chains[0])
	if n < 4 {
		return math.NaN()
	}
	acf := make([]float64, n)
	for _, c := range chains {
		a := autocorrelation(c)
		for t := range acf {
			acf[t] += a[t] / float64(len(chains))
		}
	}
	tau := 1.0
	for m := 1; m < n; m++ {
		tau += 2 * acf[m]
		if float64(m) >= 5*tau {
			break
		}
	}
	tau = math.Max(tau, 1/float64(n))
	return float64(len(chains)*n) / tau
}

// autocorrelation returns the normalised autocorrelation function of x by FFT with
// zero padding to avoid wrap-around.
func autocorrelation(x []float64) []float64 {
	n := len(x)
	m := 1
	for m < 2*n {
		m <<= 1
	}
	mean := stat.Mean(x, nil)
	buf := make([]float64, m)
	for i, v := range x {
		buf[i] = v - mean
	}
	fft := fourier.NewFFT(m)
	c := fft.Coefficients(nil, buf)
	for i, v := range c {
		c[i] = complex(real(v)*real(v)+imag(v)*imag(v), 0)
	}
	r := fft.Sequence(nil, c)
	out := make([]float64, n)
	if r[0] == 0 {
		return out // a constant chain: no information, autocorrelation undefined
	}
	for t := range out {
		out[t] = r[t] / r[0]
	}
	return out
}

// splitRHat is the potential scale reduction factor of Gelman et al. (BDA3, §11.4)
// with every chain split in halves, which also detects drift within a chain.
func splitRHat(chains [][]float64) float64 {
	h := len(chains[0]) / 2
	if h < 2 {
		return math.NaN()
	}
	var means, vars []float64
	for _, c := range chains {
		for _, part := range [][]float64{c[:h], c[h : 2*h]} {
			m, v := stat.MeanVariance(part, nil)
			means = append(means, m)
			vars = append(vars, v)
		}
	}
	n := float64(h)
	w := stat.Mean(vars, nil)
	b := n * stat.Variance(means, nil)
	if w == 0 {
		return math.NaN()
	}
	return math.Sqrt(((n-1)/n*w + b/n) / w)
}
