package main

import (
	"flag"
	"fmt"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
)

type evaluateFlags struct {
	fit      *fitFlags
	split    string
	lags     int
	spacing  int
	horizon  int
	acov     string
	maxOrder int
	plot     string
}

var evaluateOpts evaluateFlags

func init() {
	register(&command{
		name:    "evaluate",
		usage:   "REC",
		summary: "fit on a training part and compare held-out predictions with baselines",
		help: `Splits the recording REC (--split time:F holds out the last fraction F of every
trial; units:F a seeded fraction F of the units, which the fit never sees and which
are predicted over the last fraction F of time), fits the network model on the
training part exactly as ldfit fit does (the same --method, --phi, --tau ... flags),
and prints, for the same held-out samples, R², the mean log predictive density (LPD,
nats per sample; higher is better), the coverage of the central 50% and 90%
intervals and the mean and variance of the standardised errors (0 and 1 when
calibrated) of:

  model           one step ahead from the population (posterior of each unit's couplings)
  AR(1), AR(p)    per-unit autoregressions, p chosen by held-out likelihood
  ridge           the model's regression with a cross-validated penalty instead of the
                  fitted prior (uses the fit's φ and τ)
  model forecast  each unit from its own past, 1 … --horizon spacings ahead (not
                  comparable with the one-step rows)

and says which one-step predictor has the highest LPD. The fit's warnings are
printed; so is a warning when the model's intervals are far from calibrated (for
example a noise intensity D fitted at 0: near-white data, where the spectral
likelihood cannot tell g² from 2D/a; --method exact fits them as the regression's own
evidence). -o writes the table (one row per predictor); --plot draws the model's
one-step predictions of the held-out units that vary most.`,
		flags: func(fs *flag.FlagSet) {
			f := &evaluateOpts
			f.fit = addFitFlags(fs)
			fs.StringVar(&f.split, "split", "time:0.2", "held-out part: time:F or units:F")
			fs.IntVar(&f.lags, "lags", 20, "forecast row: past samples conditioned on (0 leaves the row out)")
			fs.IntVar(&f.spacing, "spacing", 1, "forecast row: recording steps between conditioning samples and forecast points")
			fs.IntVar(&f.horizon, "horizon", 10, "forecast row: points forecast from each origin")
			fs.StringVar(&f.acov, "acov", "spectrum", "forecast row: autocovariance from the fitted `SOURCE`, spectrum or dmft")
			fs.IntVar(&f.maxOrder, "max-order", 10, "largest order of the AR(p) baseline")
			fs.StringVar(&f.plot, "plot", "", "draw a few units' one-step predictions with 50/90% bands to `FILE` (.png or .svg)")
		},
		run: func(e *env, args []string) error { return runEvaluate(e, args, &evaluateOpts) },
	})
}

func (f *evaluateFlags) check() error {
	if err := f.fit.check(); err != nil {
		return err
	}
	if err := f.fit.rec.check(); err != nil {
		return err
	}
	if f.lags < 0 || f.spacing < 1 || f.horizon < 1 || f.maxOrder < 1 {
		return usagef("--lags must be ≥ 0, --spacing, --horizon and --max-order positive")
	}
	if f.acov != "spectrum" && f.acov != "dmft" {
		return usagef("--acov must be spectrum or dmft, got %q", f.acov)
	}
	return nil
}

func runEvaluate(e *env, args []string, f *evaluateFlags) error {
	if err := wantArgs(args, "REC"); err != nil {
		return err
	}
	split, err := infer.ParseSplit(f.split, e.Seed)
	if err != nil {
		return usagef("--split: %v", err)
	}
	if err := f.check(); err != nil {
		return err
	}
	if f.plot != "" {
		if err := checkPlotPath(f.plot); err != nil {
			return err
		}
	}
	rec, err := f.fit.rec.load(e, args[0])
	if err != nil {
		return err
	}
	var res *infer.Result
	fit := func(train *data.Recording) (*infer.Network, error) {
		if res, err = f.fit.fitLoaded(e, train, args[0]); err != nil {
			return nil, err
		}
		return infer.NetworkFromResult(res)
	}
	lags := f.lags
	if lags == 0 {
		lags = -1
	}
	opt := infer.EvalOptions{Split: split, Lags: lags, Spacing: f.spacing, Horizon: f.horizon, MaxOrder: f.maxOrder, Workers: e.Workers}
	if f.acov == "dmft" {
		opt.ACov, opt.ACovName = infer.DMFTACov, "dmft"
	}
	ev, err := infer.Evaluate(rec, fit, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if res != nil {
		for _, w := range res.Warnings {
			e.warnf("fit on the training part: %s", w)
		}
	}
	for _, w := range ev.Warnings {
		e.warnf("%s", w)
	}
	if e.Out != "" {
		meta := map[string]string{"ldfit.split": split.String(), "ldfit.best": ev.Best}
		if res != nil {
			meta["ldfit.method"] = res.Method
		}
		if err := data.WriteTable(e.Out, evaluationTable(ev), e.writeOptions(meta)); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := plotPrediction(ev.Model, f.plot, rec.TimeUnit, 4); err != nil {
			return err
		}
	}
	if e.JSON {
		return writeJSON(e.stdout, evaluationJSON(ev, res))
	}
	printEvaluation(e, ev, res)
	return nil
}

// evaluationTable lays out the comparison, one row per predictor, for -o.
func evaluationTable(ev *infer.Evaluation) *data.Table {
	cols := []data.Column{{Name: "predictor"}, {Name: "detail"}, {Name: "r2"}, {Name: "lpd"}, {Name: "cover50"},
		{Name: "cover90"}, {Name: "z_mean"}, {Name: "z_var"}, {Name: "samples"}}
	for _, r := range ev.Rows {
		cols[0].String = append(cols[0].String, r.Name)
		cols[1].String = append(cols[1].String, r.Detail)
		for c, v := range []float64{r.R2, r.LPD, r.Cover50, r.Cover90, r.ZMean, r.ZVar} {
			cols[2+c].Float = append(cols[2+c].Float, v)
		}
		cols[8].Int = append(cols[8].Int, int64(r.Samples))
	}
	return &data.Table{Columns: cols}
}

type evaluationOut struct {
	Split      string      `json:"split"`
	Method     string      `json:"method"`
	Held       int         `json:"held_units"`
	TrainUnits int         `json:"train_units"`
	Tau        []float64   `json:"tau"`
	G2         [][]float64 `json:"g2"`
	D          []float64   `json:"D"`
	Best       string      `json:"best"`
	Constant   []string    `json:"constant_in_training"`
	Warnings   []string    `json:"warnings"`
	Rows       []scoresOut `json:"rows"`
}

func evaluationJSON(ev *infer.Evaluation, res *infer.Result) evaluationOut {
	out := evaluationOut{Split: ev.Split.String(), Held: len(ev.Held), TrainUnits: ev.TrainUnits, Tau: ev.Network.Tau,
		G2: ev.Network.G2, D: ev.Network.D, Best: ev.Best, Constant: append([]string{}, ev.Constant...),
		Warnings: append([]string{}, ev.Warnings...)}
	if res != nil {
		out.Method = res.Method
		out.Warnings = append(append([]string{}, res.Warnings...), out.Warnings...)
	}
	for _, r := range ev.Rows {
		s := scoresJSON(r.Name, r.Scores)
		s.Detail = r.Detail
		out.Rows = append(out.Rows, s)
	}
	return out
}

func printEvaluation(e *env, ev *infer.Evaluation, res *infer.Result) {
	w := e.stdout
	method := ""
	if res != nil {
		method = res.Method + " "
	}
	fmt.Fprintf(w, "split %s: %sfit on %d units, %d units predicted over the held-out window\n",
		ev.Split, method, ev.TrainUnits, len(ev.Held))
	for a, p := range ev.Network.Populations {
		fmt.Fprintf(w, "fitted %s: g² %.4g, D %.4g, τ %.4g\n", orDefault(p, "network"), ev.Network.G2[a][a], ev.Network.D[a], ev.Network.Tau[a])
	}
	fmt.Fprintln(w)
	var rows [][]string
	for _, r := range ev.Rows {
		rows = append(rows, scoreRow(r.Name, r.Detail, r.Scores))
	}
	printTable(w, scoreHeader, rows)
	fmt.Fprintf(w, "\nbest one-step predictor by log predictive density: %s\n", ev.Best)
}
