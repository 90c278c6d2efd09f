package infer

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
)

// Ways to measure the uncertainty of a spectral fit (SpectralFit.Errors).
const (
	// ErrorsJackknife (the default) is the sum of the delete-a-block jackknife
	// covariances over blocks of units and over blocks of segments, with Student-t
	// intervals at the Welch–Satterthwaite degrees of freedom. The Whittle likelihood
	// treats units and ordinates as independent; the jackknife measures the spread the
	// data show, including the dependence of units through the network and their
	// shared estimate of S_φ.
	ErrorsJackknife = "jackknife"
	// ErrorsFisher is the inverse Hessian of the Whittle likelihood (Laplace).
	ErrorsFisher = "fisher"
)

// SpectralFit configures FitSpectral.
type SpectralFit struct {
	// Tau is the time constant per population (one value: all), in the recording's time
	// unit; nil means 1. Ignored when TauGrid is set.
	Tau []float64
	// TauGrid, when it has two or more values, profiles τ (one value for every
	// population) over the grid and fits at the best.
	TauGrid []float64
	// MaxFreq, when positive, leaves out the ordinates above this frequency (cycles
	// per time unit), e.g. where binning or measurement noise dominates.
	MaxFreq float64
	// Phi names the transfer function of each population, for the Result.
	Phi []string
	// Errors is ErrorsJackknife (default) or ErrorsFisher.
	Errors string
	// MCMC samples the posterior (flat prior in the unconstrained coordinates) and
	// reports posterior medians and central 95% credible intervals instead. It samples
	// the Whittle likelihood itself, so its widths are those of the Fisher errors, not
	// of the jackknife: use it for the shape of the posterior (skew, correlations near
	// a bound), not to correct the calibration.
	MCMC   bool
	Sample SampleOptions
	// Restarts and Seed are passed to Fit.
	Restarts int
	Seed     uint64
	// Progress, when non-nil, is called as the stages advance.
	Progress func(stage string, done, total int)
}

// collinearCorr is the correlation of two estimates beyond which FitSpectral warns that
// the data do not separate them.
const collinearCorr = 0.9

// FitSpectral fits the spectral (Whittle rate-function) likelihood to the statistics of
// a recording and returns the result with its uncertainty, goodness of fit and
// warnings: a recording that fails the stationarity check, estimates too correlated to
// separate (populations whose φ spectra are alike), a flat τ profile, parameters at
// the boundary of their range. The caller fills in the recording's description
// (Source, TimeUnit, Units, Populations).
func FitSpectral(st *likelihood.Stats, opt SpectralFit) (*Result, error) {
	progress := opt.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	res := &Result{Method: "spectral", Step: st.Step, PopNames: st.Pops, Phi: perPop(opt.Phi, len(st.Pops), "tanh")}
	tau, err := spectralTau(st, &opt, res, progress)
	if err != nil {
		return nil, err
	}
	res.Tau = tau
	obj, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: tau, MaxFreq: opt.MaxFreq})
	if err != nil {
		return nil, err
	}
	progress("fit", 0, 1)
	est, err := Fit(obj, FitOptions{Restarts: opt.Restarts, Seed: opt.Seed})
	if err != nil {
		return nil, err
	}
	progress("fit", 1, 1)
	// Eval leaves out the terms that do not depend on the parameters; the result
	// reports the full Whittle log-likelihood.
	res.LogLik, res.Converged = est.LogLik+obj.Offset(), est.Converged
	unc, err := spectralUncertainty(obj, est, st, tau, &opt, progress)
	if err != nil {
		return nil, err
	}
	res.Posterior = unc.Method
	res.setParams(est, unc)
	if err := res.setSpectra(obj, est, st); err != nil {
		return nil, err
	}
	res.Warnings = append(res.Warnings, misfit(res.Fit)...)
	res.Warnings = append(res.Warnings, collinearity(st.Pops, est, unc)...)
	res.Warnings = append(res.Warnings, boundaryNotes(est)...)
	if s := st.Stationarity(); s.Tested && !s.Stationary {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the recording is not stationary at this segment length: the %s spectrum of population %s in %.3g–%.3g cycles/time unit differs between the first and second half (t = %.1f, adjusted p = %.2g); fit the halves separately or use shorter segments, and read the uncertainties as too small", s.Series, s.Pop, s.Band[0], s.Band[1], s.T, s.P))
	}
	return res, nil
}

// perPop returns n per-population values from s: its one value for every population,
// else its own value for each, else def.
func perPop[T any](s []T, n int, def T) []T {
	out := make([]T, n)
	for a := range out {
		switch {
		case len(s) == 1:
			out[a] = s[0]
		case a < len(s):
			out[a] = s[a]
		default:
			out[a] = def
		}
	}
	return out
}

// spectralTau returns the time constants to fit at: given, or the best of a profile,
// which it records in res.
func spectralTau(st *likelihood.Stats, opt *SpectralFit, res *Result, progress func(string, int, int)) ([]float64, error) {
	P := len(st.Pops)
	if len(opt.TauGrid) < 2 {
		tau := make([]float64, P)
		for a := range tau {
			switch {
			case opt.Tau == nil:
				tau[a] = 1
			case len(opt.Tau) == 1:
				tau[a] = opt.Tau[0]
			case len(opt.Tau) == P:
				tau[a] = opt.Tau[a]
			default:
				return nil, fmt.Errorf("infer: %d time constants for %d populations %q; give one, or one per population", len(opt.Tau), P, st.Pops)
			}
			if !(tau[a] > 0) || math.IsInf(tau[a], 0) {
				return nil, fmt.Errorf("infer: time constant τ = %v of population %s is not positive; give τ > 0 in the recording's time unit", tau[a], st.Pops[a])
			}
		}
		return tau, nil
	}
	done := 0
	prof, err := likelihood.ProfileTau(st, opt.TauGrid, likelihood.SpectralOptions{MaxFreq: opt.MaxFreq}, func(o likelihood.Objective) (float64, error) {
		progress("tau profile", done, len(opt.TauGrid))
		done++
		e, err := Fit(o, FitOptions{Seed: opt.Seed})
		if err != nil {
			return 0, err
		}
		return e.LogLik, nil
	})
	if err != nil {
		return nil, err
	}
	progress("tau profile", len(opt.TauGrid), len(opt.TauGrid))
	res.Profile = &Profile{Tau: prof.Tau, LogLik: prof.LogLik, Lower: prof.Interval[0], Upper: prof.Interval[1], Flat: prof.Flat}
	best := prof.Tau[prof.Best]
	lo, hi := prof.Tau[0], prof.Tau[len(prof.Tau)-1]
	switch {
	case prof.Best == 0 || prof.Best == len(prof.Tau)-1:
		res.Warnings = append(res.Warnings, fmt.Sprintf("the τ profile peaks at the end of the grid %.4g–%.4g (τ = %.4g): the best τ may lie outside it; widen the grid", lo, hi, best))
	case prof.Flat:
		res.Warnings = append(res.Warnings, fmt.Sprintf("the τ profile is flat: log-likelihoods within 1.92 of the best (τ = %.4g) reach the end of the grid %.4g–%.4g; τ is not determined by these data, give it with --tau or widen the grid", best, lo, hi))
	}
	tau := make([]float64, P)
	for a := range tau {
		tau[a] = best
	}
	return tau, nil
}

// spectralUncertainty measures the uncertainty of est as opt asks.
func spectralUncertainty(obj *likelihood.Spectral, est *Estimate, st *likelihood.Stats, tau []float64, opt *SpectralFit, progress func(string, int, int)) (*Uncertainty, error) {
	lap, err := Laplace(obj, est)
	if err != nil {
		return nil, err
	}
	unc := lap
	switch opt.Errors {
	case ErrorsFisher:
	case "", ErrorsJackknife:
		if unc, err = jackknifeStats(obj, est, st, likelihood.SpectralOptions{Tau: tau, MaxFreq: opt.MaxFreq}, progress); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("infer: unknown error estimator %q; use %q or %q", opt.Errors, ErrorsJackknife, ErrorsFisher)
	}
	if !opt.MCMC {
		return unc, nil
	}
	so := opt.Sample
	so.Seed = opt.Seed
	if so.Progress == nil {
		so.Progress = func(d, n int) { progress("mcmc", d, n) }
	}
	post, err := Sample(obj, est, lap, so)
	if err != nil {
		return nil, err
	}
	return post.Uncertainty(), nil
}

// jackknifeStats is the ErrorsJackknife covariance: the jackknife over blocks of
// units plus the jackknife over blocks of segments. Empty blocks (fewer units or
// segments than blocks) are skipped.
func jackknifeStats(obj likelihood.Objective, est *Estimate, st *likelihood.Stats, so likelihood.SpectralOptions, progress func(string, int, int)) (*Uncertainty, error) {
	units, segs, err := jackknifeBlocks(st, "; or ask for Fisher errors")
	if err != nil {
		return nil, err
	}
	ku, ks := len(units), len(segs)
	done, total := 0, ku+ks
	leave := func(u, s int) (likelihood.Objective, error) {
		progress("jackknife", done, total)
		done++
		return likelihood.NewSpectral(st.Without(u, s), so)
	}
	vu, err := Jackknife(est, ku, func(k int) (likelihood.Objective, error) { return leave(units[k], -1) })
	if err != nil {
		return nil, err
	}
	vs, err := Jackknife(est, ks, func(k int) (likelihood.Objective, error) { return leave(-1, segs[k]) })
	if err != nil {
		return nil, err
	}
	progress("jackknife", total, total)
	var cov mat.SymDense
	cov.AddSym(vu, vs)
	// Each jackknife variance has K−1 degrees of freedom; their sum has about the
	// Welch–Satterthwaite number, and the interval uses that Student-t quantile.
	q := make([]float64, len(est.Theta))
	for i := range q {
		q[i] = welchT95(vu.At(i, i), vs.At(i, i), ku, ks)
	}
	return fromCovariance(ErrorsJackknife, obj, est, &cov, q)
}

// welchT95 is the 97.5% Student-t quantile for a sum of two jackknife variances u and
// s over ku and ks blocks (K−1 degrees of freedom each): at the Welch–Satterthwaite
// number of degrees of freedom, or the normal quantile when both are zero.
func welchT95(u, s float64, ku, ks int) float64 {
	if d := (u + s) * (u + s) / (u*u/float64(ku-1) + s*s/float64(ks-1)); d > 0 {
		return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: d}.Quantile(0.975)
	}
	return z95
}

// jackknifeBlocks returns the non-empty blocks of units and of segments of st, or an
// error when there are fewer than two of either; advice ends the error's message.
func jackknifeBlocks(st *likelihood.Stats, advice string) (units, segs []int, err error) {
	units, segs = filledBlocks(st)
	if len(units) < 2 || len(segs) < 2 {
		return nil, nil, fmt.Errorf("infer: the jackknife needs at least 2 non-empty blocks of units and of segments, have %d and %d; record more units or a longer recording, or use shorter segments%s", len(units), len(segs), advice)
	}
	return units, segs, nil
}

// filledBlocks returns the indices of the unit blocks and segment blocks of st that hold
// any data.
func filledBlocks(st *likelihood.Stats) (units, segs []int) {
	if len(st.Cells) == 0 {
		return nil, nil
	}
	segCount := make([]float64, len(st.Cells[0]))
	for u, row := range st.Cells {
		var n float64
		for s, c := range row {
			for _, v := range c.Count {
				n += v
				segCount[s] += v
			}
		}
		if n > 0 {
			units = append(units, u)
		}
	}
	for s, n := range segCount {
		if n > 0 {
			segs = append(segs, s)
		}
	}
	return units, segs
}

// setParams fills res.Params and res.Corr from the estimate and its uncertainty, with
// g = √g² derived from every g².
func (r *Result) setParams(est *Estimate, unc *Uncertainty) {
	p := len(est.Params)
	r.Corr = make([][]float64, p)
	for i, par := range est.Params {
		r.Params = append(r.Params, ParamEstimate{Name: par.Name, Estimate: unc.Estimate[i], SE: unc.SE[i], Lower: unc.Lower[i], Upper: unc.Upper[i]})
		r.Corr[i] = make([]float64, p)
		for j := range r.Corr[i] {
			r.Corr[i][j] = unc.Corr.At(i, j)
		}
	}
	for i, par := range est.Params {
		name, ok := strings.CutPrefix(par.Name, "g2")
		if !ok {
			continue
		}
		g := math.Sqrt(unc.Estimate[i])
		r.Params = append(r.Params, ParamEstimate{
			Name: "g" + name, Estimate: g, SE: unc.SE[i] / (2 * g),
			Lower: math.Sqrt(unc.Lower[i]), Upper: math.Sqrt(unc.Upper[i]), Derived: true,
		})
	}
}

// setSpectra records the observed and fitted spectra and their goodness of fit.
func (r *Result) setSpectra(obj *likelihood.Spectral, est *Estimate, st *likelihood.Stats) error {
	gf := obj.Fit(est.Theta)
	for a, pop := range st.Pops {
		s := Spectrum{Population: pop, Freq: gf.Freq, Observed: gf.Observed[a], Fitted: gf.Model[a]}
		g, err := Assess(s, st.Total.Count[a])
		if err != nil {
			return err
		}
		g.VarExplained = gf.Explained[a]
		r.Spectra = append(r.Spectra, s)
		r.Fit = append(r.Fit, g)
	}
	return nil
}

// collinearity warns about pairs of g² in one row whose estimates are so correlated
// that the data determine their sum but not the split: populations whose spectra of φ
// are alike.
func collinearity(pops []string, est *Estimate, unc *Uncertainty) []string {
	P := len(pops)
	var w []string
	for a := 0; a < P && P > 1; a++ {
		for b := 0; b < P; b++ {
			for c := b + 1; c < P; c++ {
				i, j := a*P+b, a*P+c
				if i >= len(est.Params) || j >= len(est.Params) {
					continue
				}
				if r := unc.Corr.At(i, j); math.Abs(r) > collinearCorr {
					w = append(w, fmt.Sprintf("populations %s and %s have spectra of φ too similar to separate g²[%s,%s] from g²[%s,%s] (correlation of the estimates %.2f): their sum is determined, the split is not; read the intervals, or give the populations different time constants or transfer functions if they have them", pops[b], pops[c], pops[a], pops[b], pops[a], pops[c], r))
				}
			}
		}
	}
	return w
}

// misfitRatio is the ratio of the RMS relative error of the fitted spectrum to the one
// sampling noise alone gives, beyond which FitSpectral warns of misfit.
const misfitRatio = 3

// misfit warns about populations whose residual spectrum the model does not reproduce
// within the sampling noise.
func misfit(fit []Goodness) []string {
	var w []string
	for _, g := range fit {
		if g.RMSRelErr > misfitRatio*g.ExpectedRelErr {
			w = append(w, fmt.Sprintf("the model does not reproduce the residual spectrum of population %s: rms relative error %.3g where sampling noise alone gives %.3g; the estimates describe the best such network, not a network that made the data (check --tau, --phi and the preprocessing)", g.Population, g.RMSRelErr, g.ExpectedRelErr))
		}
	}
	return w
}

func boundaryNotes(est *Estimate) []string {
	var w []string
	for i, b := range est.Boundary {
		if b {
			w = append(w, fmt.Sprintf("%s is at the boundary of its range (estimate %.3g): the data are consistent with %s = %g; its interval is one-sided", est.Params[i].Name, est.Value[i], est.Params[i].Name, est.Params[i].Natural(math.Inf(-1))))
		}
	}
	return w
}

// Describe sets the recording's description in r: source path, time unit, units and
// their populations (nil: all in the result's single population).
func (r *Result) Describe(source, timeUnit string, units, populations []string) {
	r.Source, r.TimeUnit, r.Units, r.Populations = source, timeUnit, units, populations
	if r.Populations == nil && len(r.PopNames) == 1 {
		r.Populations = make([]string, len(units))
		for i := range r.Populations {
			r.Populations[i] = r.PopNames[0]
		}
	}
}

// ScanStats computes the spectral statistics of the recording at path in one streaming
// pass: a reader goroutine decodes the next block of the file while the accumulator
// transforms the current one, so reading overlaps computing and memory stays bounded.
// With so.Segment zero the segment length is chosen (likelihood.DefaultSegment) from
// the first block. progress, when non-nil, gets the samples done so far.
func ScanStats(path string, ro data.ReadOptions, so likelihood.StatsOptions, progress func(samples int)) (*likelihood.Stats, *data.Scanner, error) {
	sc, err := data.Scan(path, ro)
	if err != nil {
		return nil, nil, err
	}
	defer sc.Close()
	blocks := make(chan data.Block, 1)
	free := make(chan []float64, 2)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(blocks)
		for sc.Next() {
			b := sc.Block()
			var buf []float64
			select {
			case buf = <-free:
			default:
			}
			b.Data = append(buf[:0], b.Data...)
			select {
			case blocks <- b:
			case <-done:
				return
			}
		}
	}()
	var acc *likelihood.Accumulator
	samples := 0
	for b := range blocks {
		if acc == nil {
			if so.Segment == 0 {
				first := &data.Recording{Units: sc.Units(), Step: sc.Step(), Trials: []data.Trial{{Len: b.Len, Data: b.Data}}}
				if so.Segment, err = likelihood.DefaultSegment(first); err != nil {
					return nil, nil, fmt.Errorf("%s: %w", path, err)
				}
			}
			if acc, err = likelihood.NewAccumulator(sc.Units(), sc.Populations(), sc.Step(), so); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		if err := acc.Add(b.Trial, b.Len, b.Data); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		samples += b.Len
		if progress != nil {
			progress(samples)
		}
		select {
		case free <- b.Data:
		default:
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if acc == nil {
		return nil, nil, fmt.Errorf("%s: no samples in the recording (or in the time window)", path)
	}
	st, err := acc.Stats()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, sc, nil
}

// ExactFit configures FitExact.
type ExactFit struct {
	Phi      string // transfer function name, for the Result
	MCMC     bool   // report posterior medians and credible intervals instead of Laplace
	Sample   SampleOptions
	Restarts int
	Seed     uint64
	// Step is the recording's sampling step, reported as Result.Step; zero takes it
	// from Stats.
	Step float64
	// Tau is the time constant when the objective holds it fixed
	// (likelihood.ExactOptions.FixTau), reported as Result.Tau; ignored otherwise.
	Tau float64
	// Stats, when non-nil, are the spectral statistics of the same recording; the
	// goodness of fit of the exact estimate is then checked on them.
	Stats *likelihood.Stats
}

// FitExact maximises the exact coupling-marginal likelihood (τ, g, D, J0, μ) and
// returns the result with Laplace (or MCMC) uncertainty.
func FitExact(obj *likelihood.Exact, opt ExactFit) (*Result, error) {
	est, err := Fit(obj, FitOptions{Restarts: opt.Restarts, Seed: opt.Seed})
	if err != nil {
		return nil, err
	}
	unc, err := Laplace(obj, est)
	if err != nil {
		return nil, err
	}
	if opt.MCMC {
		so := opt.Sample
		so.Seed = opt.Seed
		post, err := Sample(obj, est, unc, so)
		if err != nil {
			return nil, err
		}
		unc = post.Uncertainty()
	}
	tau, ok := est.value("tau")
	if !ok {
		tau = opt.Tau
	}
	if !(tau > 0) {
		return nil, fmt.Errorf("infer: the exact objective holds τ fixed; give its value in ExactFit.Tau")
	}
	step := opt.Step
	if step == 0 && opt.Stats != nil {
		step = opt.Stats.Step
	}
	res := &Result{Method: "exact", Posterior: unc.Method, Step: step, PopNames: []string{"all"}, Phi: []string{orTanh(opt.Phi)}, Tau: []float64{tau}, LogLik: est.LogLik, Converged: est.Converged}
	res.setParams(est, unc)
	res.Warnings = boundaryNotes(est)
	if st := opt.Stats; st != nil && len(st.Pops) == 1 {
		sp, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: []float64{tau}})
		if err != nil {
			return nil, err
		}
		g, _ := est.value("g")
		d, _ := est.value("D")
		if err := res.setSpectra(sp, &Estimate{Theta: sp.Theta([][]float64{{g * g}}, []float64{d})}, st); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// value returns the natural value of the parameter named name.
func (e *Estimate) value(name string) (float64, bool) {
	for i, p := range e.Params {
		if p.Name == name {
			return e.Value[i], true
		}
	}
	return 0, false
}

func orTanh(s string) string {
	if s == "" {
		return "tanh"
	}
	return s
}

// FitNNLS returns the poster estimator, the non-negative least-squares regression of
// the residual spectrum on the spectra of φ (likelihood.SpectralNNLS), with standard
// errors, correlations and Student-t intervals from the jackknife over blocks of units
// and of segments, cut at zero. Its LogLik is the Whittle log-likelihood at the
// estimate, comparable with FitSpectral's at the same τ.
func FitNNLS(st *likelihood.Stats, tau []float64, phi []string) (*Result, error) {
	fit, err := likelihood.SpectralNNLS(st, tau)
	if err != nil {
		return nil, err
	}
	obj, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: tau})
	if err != nil {
		return nil, err
	}
	flat := func(f likelihood.NNLSFit) []float64 {
		var v []float64
		for _, row := range f.G2 {
			v = append(v, row...)
		}
		return append(v, f.D...)
	}
	est := flat(fit)
	units, segs, err := jackknifeBlocks(st, "")
	if err != nil {
		return nil, err
	}
	ku, ks := len(units), len(segs)
	var reps [2][][]float64
	for k := 0; k < ku+ks; k++ {
		u, s, side := -1, -1, 0
		if k < ku {
			u = units[k]
		} else {
			s, side = segs[k-ku], 1
		}
		f, err := likelihood.SpectralNNLS(st.Without(u, s), tau)
		if err != nil {
			return nil, fmt.Errorf("infer: jackknife of the NNLS estimate: %w", err)
		}
		reps[side] = append(reps[side], flat(f))
	}
	th := make([]float64, len(est))
	for i, v := range est {
		th[i] = math.Log(math.Max(v, 1e-300))
	}
	// The Whittle log-likelihood at the estimate, as FitSpectral reports it at its own.
	loglik := obj.Eval(th, nil) + obj.Offset()
	res := &Result{Method: "nnls", Posterior: ErrorsJackknife, Step: st.Step, PopNames: st.Pops, Phi: perPop(phi, len(st.Pops), "tanh"), Tau: perPop(tau, len(st.Pops), 1), LogLik: loglik, Converged: true}
	cu, cs := jackCov(reps[0]), jackCov(reps[1])
	se := make([]float64, len(est))
	for i := range est {
		se[i] = math.Sqrt(cu[i][i] + cs[i][i])
	}
	res.Corr = make([][]float64, len(est))
	for i, p := range obj.Params() {
		res.Corr[i] = make([]float64, len(est))
		for j := range est {
			res.Corr[i][j] = (cu[i][j] + cs[i][j]) / (se[i] * se[j])
		}
		res.Corr[i][i] = 1 // also where se is 0
		q := welchT95(cu[i][i], cs[i][i], ku, ks)
		lo, hi := math.Max(0, est[i]-q*se[i]), est[i]+q*se[i]
		res.Params = append(res.Params, ParamEstimate{Name: p.Name, Estimate: est[i], SE: se[i], Lower: lo, Upper: hi})
		if name, ok := strings.CutPrefix(p.Name, "g2"); ok {
			g := math.Sqrt(est[i])
			res.Params = append(res.Params, ParamEstimate{Name: "g" + name, Estimate: g, SE: se[i] / (2 * g), Lower: math.Sqrt(lo), Upper: math.Sqrt(hi), Derived: true})
		}
	}
	if err := res.setSpectra(obj, &Estimate{Theta: th}, st); err != nil {
		return nil, err
	}
	return res, nil
}

// jackCov is the delete-a-block jackknife covariance of the replicates reps.
func jackCov(reps [][]float64) [][]float64 {
	k := float64(len(reps))
	p := len(reps[0])
	m := make([]float64, p)
	for _, r := range reps {
		for i, v := range r {
			m[i] += v / k
		}
	}
	c := make([][]float64, p)
	for i := range c {
		c[i] = make([]float64, p)
		for _, r := range reps {
			for j := range c[i] {
				c[i][j] += (k - 1) / k * (r[i] - m[i]) * (r[j] - m[j])
			}
		}
	}
	return c
}
