package main

import (
	"flag"
	"fmt"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
)

type evaluateFlags struct {
	rec      *recordingFlags
	split    string
	phi      string
	tau      float64
	segment  int
	lags     int
	spacing  int
	horizon  int
	maxOrder int
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
training part by the spectral likelihood, and prints, for the same held-out samples,
R², the mean log predictive density (LPD, nats per sample; higher is better), the
coverage of the central 50% and 90% intervals and the mean and variance of the
standardised errors (0 and 1 when calibrated) of:

  model           one step ahead from the population (posterior of each unit's couplings)
  AR(1), AR(p)    per-unit autoregressions, p chosen by held-out likelihood
  ridge           the model's regression with a cross-validated penalty instead of the
                  fitted prior (uses the fit's φ and τ)
  model forecast  each unit from its own past, 1 … --horizon spacings ahead (not
                  comparable with the one-step rows)

and says which one-step predictor has the highest LPD.`,
		flags: func(fs *flag.FlagSet) {
			f := &evaluateOpts
			f.rec = addRecordingFlags(fs)
			fs.StringVar(&f.split, "split", "time:0.2", "held-out part: time:F or units:F")
			fs.StringVar(&f.phi, "phi", "tanh", "transfer function φ of the model")
			fs.Float64Var(&f.tau, "tau", 1, "time constant τ of the model, in the recording's time unit")
			fs.IntVar(&f.segment, "segment", 0, "segment length of the spectral statistics (power of two; 0 chooses)")
			fs.IntVar(&f.lags, "lags", 20, "forecast row: past samples conditioned on (0 leaves the row out)")
			fs.IntVar(&f.spacing, "spacing", 1, "forecast row: recording steps between conditioning samples and forecast points")
			fs.IntVar(&f.horizon, "horizon", 10, "forecast row: points forecast from each origin")
			fs.IntVar(&f.maxOrder, "max-order", 10, "largest order of the AR(p) baseline")
		},
		run: func(e *env, args []string) error { return runEvaluate(e, args, &evaluateOpts) },
	})
}

func runEvaluate(e *env, args []string, f *evaluateFlags) error {
	if len(args) != 1 {
		return usagef("want one recording, got %d arguments", len(args))
	}
	split, err := infer.ParseSplit(f.split, e.Seed)
	if err != nil {
		return usagef("--split: %v", err)
	}
	phi, err := models.ParsePhi(f.phi)
	if err != nil {
		return usagef("--phi: %v", err)
	}
	if !(f.tau > 0) {
		return usagef("--tau must be a positive time, got %v", f.tau)
	}
	if f.lags < 0 || f.spacing < 1 || f.horizon < 1 || f.maxOrder < 1 {
		return usagef("--lags must be ≥ 0, --spacing, --horizon and --max-order positive")
	}
	rec, err := f.rec.load(e, args[0])
	if err != nil {
		return err
	}
	fit := func(train *data.Recording) (*infer.Network, error) {
		st, err := likelihood.SpectralStats(train, likelihood.StatsOptions{Segment: f.segment, Phi: phi, Workers: e.Workers})
		if err != nil {
			return nil, err
		}
		obj, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: []float64{f.tau}})
		if err != nil {
			return nil, err
		}
		est, err := infer.Fit(obj, infer.FitOptions{Seed: e.Seed})
		if err != nil {
			return nil, err
		}
		g2, d := obj.Natural(est.Theta)
		pops := obj.Pops()
		net := &infer.Network{Populations: pops, G2: g2, D: d, Units: train.Units}
		for range pops {
			net.Phi = append(net.Phi, phi)
			net.Tau = append(net.Tau, f.tau)
		}
		return net, nil
	}
	lags := f.lags
	if lags == 0 {
		lags = -1
	}
	ev, err := infer.Evaluate(rec, fit, infer.EvalOptions{Split: split, Lags: lags, Spacing: f.spacing,
		Horizon: f.horizon, MaxOrder: f.maxOrder, Workers: e.Workers})
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if e.JSON {
		out := struct {
			Split      string      `json:"split"`
			Held       int         `json:"held_units"`
			TrainUnits int         `json:"train_units"`
			G2         [][]float64 `json:"g2"`
			D          []float64   `json:"D"`
			Best       string      `json:"best"`
			Rows       []scoresOut `json:"rows"`
		}{Split: split.String(), Held: len(ev.Held), TrainUnits: ev.TrainUnits, G2: ev.Network.G2, D: ev.Network.D, Best: ev.Best}
		for _, r := range ev.Rows {
			s := scoresJSON(r.Name, r.Scores)
			s.Detail = r.Detail
			out.Rows = append(out.Rows, s)
		}
		return writeJSON(e.stdout, out)
	}
	var rows [][]string
	for _, r := range ev.Rows {
		rows = append(rows, scoreRow(r.Name, r.Detail, r.Scores))
	}
	fmt.Fprintf(e.stdout, "split %s: fit on %d units, %d units predicted over the held-out window\n",
		split, ev.TrainUnits, len(ev.Held))
	for a, p := range ev.Network.Populations {
		fmt.Fprintf(e.stdout, "fitted %s: g² %.4g, D %.4g (τ %g)\n", orDefault(p, "network"), ev.Network.G2[a][a], ev.Network.D[a], ev.Network.Tau[a])
	}
	fmt.Fprintln(e.stdout)
	printTable(e.stdout, scoreHeader, rows)
	fmt.Fprintf(e.stdout, "\nbest one-step predictor by log predictive density: %s\n", ev.Best)
	return nil
}
