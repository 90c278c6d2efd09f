package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
)

type fitFlags struct {
	rec        *recordingFlags
	method     string
	phi        string
	tau        string
	tauProfile string
	segment    int
	maxFreq    float64
	blocks     int
	posterior  string
	errors     string
	restarts   int
	steps      int
	plot       string
}

// fitOpts holds the flags of the running ldfit fit.
var fitOpts *fitFlags

func init() {
	register(&command{
		name:    "fit",
		usage:   "REC",
		summary: "fit the random-network model (g, D, τ) to a recording, with uncertainties",
		help: `Fits the random recurrent network model to the recording REC (any recording ldfit
reads; spike tables are binned with --bin, --smooth, --transform) and prints the
parameters with standard errors and 95% intervals, and the goodness of fit: the
identity S_y(f) ≈ Σ_b g_ab² S_φ,b(f) + 2D_a/a between the residual spectrum and the
spectra of φ(x), and the fraction of the residual's variance the network explains.

Methods:
  spectral  the rate function in Whittle form (default): g_ab² and D_a per population
            (--populations), τ given (--tau) or profiled (--tau-profile); errors from
            the jackknife over blocks of units and of segments (--errors fisher: the
            inverse Hessian)
  exact     the coupling-marginal likelihood of a fully observed network: τ, g, D,
            J0, μ jointly; Laplace errors
  nnls      the poster estimator: non-negative least squares of the residual spectrum
            on the spectra of φ; jackknife errors

--phi and --tau take one value, or NAME=VALUE pairs per population
("--phi E=tanh,I=relu"). Warnings are printed for a non-stationary recording,
populations whose spectra are too similar to separate their couplings, a residual
spectrum the model does not reproduce within its sampling noise, a flat τ profile and
parameters at the boundary of their range. -o writes the result (read by
ldfit predict); --plot draws the observed and fitted spectra.`,
		flags: func(fs *flag.FlagSet) {
			fitOpts = addFitFlags(fs)
			fs.StringVar(&fitOpts.plot, "plot", "", "draw the observed and fitted spectra to `FILE` (.png or .svg)")
		},
		run: func(e *env, args []string) error { return runFit(e, args, fitOpts) },
	})
}

// addFitFlags declares on fs the flags that choose and configure a fit, with the
// recording flags: ldfit fit and ldfit evaluate fit alike.
func addFitFlags(fs *flag.FlagSet) *fitFlags {
	f := &fitFlags{rec: addRecordingFlags(fs)}
	fs.StringVar(&f.method, "method", "spectral", "likelihood: spectral, exact or nnls")
	fs.StringVar(&f.phi, "phi", "tanh", "transfer function, or NAME=PHI per population (e.g. tanh, erf, relu)")
	fs.StringVar(&f.tau, "tau", "", "time constant `T` in the file's time unit, or NAME=T per population (default 1; exact: initial value)")
	fs.StringVar(&f.tauProfile, "tau-profile", "", "profile τ over `LO:HI:N` (N log-spaced values) instead of --tau (spectral)")
	fs.IntVar(&f.segment, "segment", 0, "segment length `L`, a power of two (default: from the correlation time)")
	fs.Float64Var(&f.maxFreq, "max-freq", 0, "spectral: fit only frequencies up to `F` cycles per time unit (default: all)")
	fs.IntVar(&f.blocks, "blocks", 16, "blocks of units and of segments for the jackknife")
	fs.StringVar(&f.posterior, "posterior", "laplace", "uncertainty: laplace (or the jackknife, see --errors) or mcmc")
	fs.StringVar(&f.errors, "errors", infer.ErrorsJackknife, "spectral standard errors: jackknife or fisher")
	fs.IntVar(&f.restarts, "restarts", 2, "extra optimiser starts jittered around the initial point")
	fs.IntVar(&f.steps, "mcmc-steps", 2000, "ensemble moves kept by --posterior mcmc")
	return f
}

func runFit(e *env, args []string, f *fitFlags) error {
	if err := wantArgs(args, "REC"); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return err
	}
	res, err := f.fit(e, args[0])
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		e.warnf("%s", w)
	}
	if e.Out != "" {
		if err := infer.WriteResult(e.Out, res, e.writeOptions(nil)); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := plotSpectra(res, f.plot); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, fitJSON(res))
	}
	printFit(e, res)
	return nil
}

func (f *fitFlags) check() error {
	switch f.method {
	case "spectral", "exact", "nnls":
	default:
		return usagef("--method must be spectral, exact or nnls, got %q", f.method)
	}
	switch f.posterior {
	case "laplace", "mcmc":
	default:
		return usagef("--posterior must be laplace or mcmc, got %q", f.posterior)
	}
	if f.errors != infer.ErrorsJackknife && f.errors != infer.ErrorsFisher {
		return usagef("--errors must be jackknife or fisher, got %q", f.errors)
	}
	if f.segment != 0 && (f.segment < 4 || f.segment&(f.segment-1) != 0) {
		return usagef("--segment must be a power of two ≥ 4 (e.g. 256, 1024), got %d", f.segment)
	}
	if f.maxFreq < 0 || math.IsNaN(f.maxFreq) {
		return usagef("--max-freq must be a positive frequency, got %v", f.maxFreq)
	}
	if f.blocks < 2 {
		return usagef("--blocks must be at least 2, got %d", f.blocks)
	}
	if f.restarts < 0 || f.steps < 10 {
		return usagef("--restarts must be ≥ 0 and --mcmc-steps ≥ 10")
	}
	if f.plot != "" {
		if err := checkPlotPath(f.plot); err != nil {
			return err
		}
	}
	if f.tauProfile != "" && f.method != "spectral" {
		return usagef("--tau-profile applies to --method spectral; the exact method fits τ itself")
	}
	return nil
}

// fit reads the recording at path and fits it: from spectral statistics computed while
// the file streams by when the method needs nothing more, from the loaded recording
// otherwise (spike tables, NaN handling other than error, the exact method).
func (f *fitFlags) fit(e *env, path string) (*infer.Result, error) {
	if err := f.rec.check(); err != nil {
		return nil, err
	}
	spikes, err := data.IsSpikeTable(path)
	if err != nil {
		return nil, err
	}
	if spikes || f.method == "exact" || f.rec.readOptions().NaN != data.NaNError {
		rec, err := f.rec.load(e, path)
		if err != nil {
			return nil, err
		}
		res, err := f.fitLoaded(e, rec, path)
		return res, inFile(path, err)
	}
	if err := e.addInput(path); err != nil {
		return nil, err
	}
	if f.rec.binning() {
		return nil, usagef("%s is a recording, not a spike table: --bin, --smooth and --transform apply only to spike tables; remove them", path)
	}
	so, phis, err := f.statsOptions(e)
	if err != nil {
		return nil, err
	}
	p := e.progress("reading "+path, 0)
	last := 0
	st, sc, err := infer.ScanStats(path, f.rec.readOptions(), so, func(n int) { p.Add(n - last); last = n })
	p.Done()
	if err != nil {
		return nil, err
	}
	res, err := f.fitStats(e, st, nil, phis)
	if err != nil {
		return nil, inFile(path, err)
	}
	res.Describe(path, orDefault(sc.Meta()["time_unit"], "s"), sc.Units(), sc.Populations())
	return res, nil
}

// fitLoaded fits the recording rec, read from source, by the method the flags choose.
// ldfit fit and ldfit evaluate both fit through it.
func (f *fitFlags) fitLoaded(e *env, rec *data.Recording, source string) (*infer.Result, error) {
	so, phis, err := f.statsOptions(e)
	if err != nil {
		return nil, err
	}
	st, err := likelihood.SpectralStats(rec, so)
	if err != nil && f.method == "exact" {
		// The exact method needs no spectra; they only serve the goodness of fit.
		e.warnf("no goodness-of-fit check of the spectra: %v", err)
		st, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	res, err := f.fitStats(e, st, rec, phis)
	if err != nil {
		return nil, err
	}
	res.Describe(source, rec.TimeUnit, rec.Units, rec.Populations)
	return res, nil
}

// statsOptions returns the options of the spectral statistics and the --phi values by
// population ("" for the common one).
func (f *fitFlags) statsOptions(e *env) (likelihood.StatsOptions, map[string]string, error) {
	so := likelihood.StatsOptions{Segment: f.segment, Workers: e.Workers, Blocks: f.blocks, PopPhi: map[string]models.Phi{}}
	phis, err := perPopulation("phi", f.phi)
	if err != nil {
		return so, nil, err
	}
	for name, s := range phis {
		phi, err := models.ParsePhi(s)
		if err != nil {
			return so, nil, usagef("--phi: %v", err)
		}
		if name == "" {
			so.Phi = phi
		} else {
			so.PopPhi[name] = phi
		}
	}
	return so, phis, nil
}

// fitStats runs the chosen method on the statistics st (nil when none could be made,
// which only the exact method tolerates) and, for the exact method, the recording rec.
func (f *fitFlags) fitStats(e *env, st *likelihood.Stats, rec *data.Recording, phis map[string]string) (*infer.Result, error) {
	switch f.method {
	case "exact":
		return f.exact(e, rec, phis[""], st)
	case "nnls":
		tau, err := f.taus(st.Pops)
		if err != nil {
			return nil, err
		}
		return infer.FitNNLS(st, tau, popValues(phis, st.Pops, "tanh"))
	default:
		return f.spectral(e, st, popValues(phis, st.Pops, "tanh"))
	}
}

// inFile prefixes err with the path of the file it concerns, unless it is a usage
// error (about a flag, not the file) or already names the file.
func inFile(path string, err error) error {
	var ue usageError
	if err == nil || errors.As(err, &ue) || strings.HasPrefix(err.Error(), path) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}

func (f *fitFlags) spectral(e *env, st *likelihood.Stats, phi []string) (*infer.Result, error) {
	opt := infer.SpectralFit{
		Phi: phi, MaxFreq: f.maxFreq, Errors: f.errors, MCMC: f.posterior == "mcmc", Restarts: f.restarts, Seed: e.Seed,
		Sample: infer.SampleOptions{Steps: f.steps},
	}
	var err error
	if f.tauProfile != "" {
		if opt.TauGrid, err = parseGrid(f.tauProfile); err != nil {
			return nil, err
		}
	} else if opt.Tau, err = f.taus(st.Pops); err != nil {
		return nil, err
	}
	var p *progress
	label := ""
	opt.Progress = func(stage string, done, total int) {
		if stage != label {
			if p != nil {
				p.Done()
			}
			p, label = e.progress(stage, total), stage
		}
		p.Add(done - int(p.done.Load()))
	}
	res, err := infer.FitSpectral(st, opt)
	if p != nil {
		p.Done()
	}
	return res, err
}

func (f *fitFlags) exact(e *env, rec *data.Recording, phiName string, st *likelihood.Stats) (*infer.Result, error) {
	if rec.Populations != nil {
		e.warnf("the exact method fits one population; the labels of --populations are ignored")
	}
	tau, err := f.taus([]string{"all"})
	if err != nil {
		return nil, err
	}
	phi, err := models.ParsePhi(orDefault(phiName, "tanh"))
	if err != nil {
		return nil, usagef("--phi: %v", err)
	}
	obj, err := likelihood.NewExact(rec, likelihood.ExactOptions{Phi: phi, Tau: tau[0]})
	if err != nil {
		return nil, err
	}
	return infer.FitExact(obj, infer.ExactFit{
		Phi: phi.String(), Step: rec.Step, MCMC: f.posterior == "mcmc", Sample: infer.SampleOptions{Steps: f.steps},
		Restarts: f.restarts, Seed: e.Seed, Stats: st,
	})
}

// taus returns the time constant of each population from --tau.
func (f *fitFlags) taus(pops []string) ([]float64, error) {
	vals, err := perPopulation("tau", f.tau)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(pops))
	for a, s := range popValues(vals, pops, "1") {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || !(v > 0) || math.IsInf(v, 0) {
			return nil, usagef("--tau must be a positive time in the file's time unit, got %q", s)
		}
		out[a] = v
	}
	return out, nil
}

// perPopulation parses one value (key "") or NAME=VALUE pairs separated by commas, or
// by semicolons when a value has commas of its own ("E=tanh:a=2,b=0.5;I=relu").
func perPopulation(flagName, s string) (map[string]string, error) {
	out := map[string]string{}
	if s == "" {
		return out, nil
	}
	eq, colon := strings.Index(s, "="), strings.Index(s, ":")
	if !strings.Contains(s, ";") && (eq < 0 || colon >= 0 && colon < eq) {
		out[""] = s
		return out, nil
	}
	sep := ","
	if strings.Contains(s, ";") {
		sep = ";"
	}
	for _, kv := range strings.Split(s, sep) {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok || k == "" || v == "" {
			return nil, usagef("--%s: %q is not NAME=VALUE; give one value, or NAME=VALUE pairs separated by commas (semicolons when values have commas)", flagName, kv)
		}
		out[k] = v
	}
	return out, nil
}

// popValues returns the value of every population: its own, else the common one, else
// def.
func popValues(vals map[string]string, pops []string, def string) []string {
	out := make([]string, len(pops))
	for a, p := range pops {
		switch v, ok := vals[p]; {
		case ok:
			out[a] = v
		case vals[""] != "":
			out[a] = vals[""]
		default:
			out[a] = def
		}
	}
	return out
}

// parseGrid parses LO:HI:N into N log-spaced values.
func parseGrid(s string) ([]float64, error) {
	f := strings.Split(s, ":")
	if len(f) == 3 {
		lo, e1 := strconv.ParseFloat(f[0], 64)
		hi, e2 := strconv.ParseFloat(f[1], 64)
		n, e3 := strconv.Atoi(f[2])
		if e1 == nil && e2 == nil && e3 == nil && lo > 0 && hi > lo && !math.IsInf(hi, 0) && n >= 2 {
			g := make([]float64, n)
			for k := range g {
				g[k] = lo * math.Pow(hi/lo, float64(k)/float64(n-1))
			}
			return g, nil
		}
	}
	return nil, usagef("--tau-profile must be LO:HI:N with 0 < LO < HI and N ≥ 2, e.g. 0.05:2:15; got %q", s)
}

// printFit prints the parameter table and the goodness of fit.
func printFit(e *env, r *infer.Result) {
	w := e.stdout
	fmt.Fprintf(w, "method %s, %s errors; %d units, step %g %s; log-likelihood %.6g\n", r.Method, r.Posterior, len(r.Units), r.Step, r.TimeUnit, r.LogLik)
	for a, p := range r.PopNames {
		fmt.Fprintf(w, "population %s: φ = %s, τ = %.4g\n", p, r.Phi[a], r.Tau[a])
	}
	if pr := r.Profile; pr != nil {
		fmt.Fprintf(w, "τ profile over %.4g–%.4g: best %.4g, 95%% range %.4g–%.4g\n", pr.Tau[0], pr.Tau[len(pr.Tau)-1], r.Tau[0], pr.Lower, pr.Upper)
	}
	fmt.Fprintln(w)
	var rows [][]string
	for _, p := range r.Params {
		rows = append(rows, []string{p.Name, f4(number(p.Estimate)), f4(number(p.SE)), "[" + f4(number(p.Lower)) + ", " + f4(number(p.Upper)) + "]"})
	}
	printTable(w, []string{"parameter", "estimate", "std. error", "95% interval"}, rows)
	if len(r.Fit) > 0 {
		fmt.Fprintln(w)
		rows = rows[:0]
		for _, g := range r.Fit {
			rows = append(rows, []string{g.Population, f4(number(g.MedianRelErr)), f4(number(g.RMSRelErr)), f4(number(g.ExpectedRelErr)), f4(number(g.VarExplained))})
		}
		printTable(w, []string{"goodness of fit", "median |rel. err.|", "rms rel. err.", "rms if model right", "variance explained"}, rows)
	}
}

// fitJSON is the --json form of a result (NaN as null).
func fitJSON(r *infer.Result) map[string]any {
	params := make([]map[string]any, len(r.Params))
	for i, p := range r.Params {
		params[i] = map[string]any{"name": p.Name, "estimate": number(p.Estimate), "se": number(p.SE), "lower": number(p.Lower), "upper": number(p.Upper), "derived": p.Derived}
	}
	corr := make([][]number, len(r.Corr))
	for i, row := range r.Corr {
		for _, v := range row {
			corr[i] = append(corr[i], number(v))
		}
	}
	fit := make([]map[string]any, len(r.Fit))
	for i, g := range r.Fit {
		fit[i] = map[string]any{"population": g.Population, "median_rel_error": number(g.MedianRelErr), "rms_rel_error": number(g.RMSRelErr), "max_rel_error": number(g.MaxRelErr), "expected_rel_error": number(g.ExpectedRelErr), "var_explained": number(g.VarExplained)}
	}
	out := map[string]any{
		"method": r.Method, "posterior": r.Posterior, "source": r.Source, "step": r.Step, "time_unit": r.TimeUnit,
		"units": len(r.Units), "populations": r.PopNames, "phi": r.Phi, "tau": r.Tau,
		"params": params, "correlation": corr, "loglik": number(r.LogLik), "converged": r.Converged,
		"goodness_of_fit": fit, "warnings": append([]string{}, r.Warnings...),
	}
	if pr := r.Profile; pr != nil {
		ll := make([]number, len(pr.LogLik))
		for i, v := range pr.LogLik {
			ll[i] = number(v)
		}
		out["tau_profile"] = map[string]any{"tau": pr.Tau, "loglik": ll, "lower": pr.Lower, "upper": pr.Upper, "flat": pr.Flat}
	}
	return out
}
