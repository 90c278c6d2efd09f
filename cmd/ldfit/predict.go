package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
)

type predictFlags struct {
	rec      *recordingFlags
	fit      string
	mode     string
	testFrac float64
	lags     int
	spacing  int
	horizon  int
	ahead    int
	acov     string
	plot     string
}

var predictOpts predictFlags

func init() {
	register(&command{
		name:    "predict",
		usage:   "REC --fit FIT",
		summary: "predict held-out activity from a fitted model, with calibrated intervals",
		help: `Predicts the last --test-frac of every trial of the recording REC from the model
fitted in FIT (ldfit fit -o FIT), and prints the predictions' scores: R², mean log
predictive density (nats per sample) and the coverage of the central 50% and 90%
intervals. With -o the predictions are written in the long layout (unit, t,
observed, mean, sd; forecasts add horizon).

Modes:
  step      each sample one step ahead from the whole population at the step before,
            through the posterior of each unit's couplings given its training window
            (--ahead H: H steps ahead, iterating the network on the predicted means
            and propagating the variances in mean-field theory)
  units     the same for the recording's units that the fit did not see
  forecast  each unit from its own past alone (mean-field Gaussian process): --lags
            samples at --spacing steps condition forecasts of --horizon points; the
            autocovariance is that of the fitted spectrum of the training window
            (--acov spectrum) or of the mean-field (DMFT) solution of the fitted
            parameters for the Euler map at the recording's step (--acov dmft)`,
		flags: func(fs *flag.FlagSet) {
			p := &predictOpts
			p.rec = addRecordingFlags(fs)
			fs.StringVar(&p.fit, "fit", "", "fit result `FILE` written by ldfit fit -o (required)")
			fs.StringVar(&p.mode, "mode", "step", "what to predict: step, units or forecast")
			fs.Float64Var(&p.testFrac, "test-frac", 0.2, "held-out `FRACTION` at the end of every trial")
			fs.IntVar(&p.lags, "lags", 20, "forecast: number of past samples conditioned on")
			fs.IntVar(&p.spacing, "spacing", 1, "forecast: recording steps between conditioning samples and forecast points")
			fs.IntVar(&p.horizon, "horizon", 10, "forecast: points forecast from each origin")
			fs.IntVar(&p.ahead, "ahead", 1, "step, units: predict each sample `H` steps ahead")
			fs.StringVar(&p.acov, "acov", "spectrum", "forecast: autocovariance from the fitted `SOURCE`, spectrum or dmft")
			fs.StringVar(&p.plot, "plot", "", "draw a few units' held-out traces with 50/90% bands to `FILE` (.png or .svg)")
		},
		run: func(e *env, args []string) error { return runPredict(e, args, &predictOpts) },
	})
}

func runPredict(e *env, args []string, f *predictFlags) error {
	if len(args) != 1 {
		return usagef("want one recording, got %d arguments", len(args))
	}
	if f.fit == "" {
		return usagef("--fit FILE is required: the result of ldfit fit -o FILE")
	}
	if !(f.testFrac > 0 && f.testFrac < 1) {
		return usagef("--test-frac must lie strictly between 0 and 1, got %v", f.testFrac)
	}
	if f.mode != "step" && f.mode != "units" && f.mode != "forecast" {
		return usagef("--mode must be step, units or forecast, got %q", f.mode)
	}
	if f.lags < 1 || f.spacing < 1 || f.horizon < 1 || f.ahead < 1 {
		return usagef("--lags, --spacing, --horizon and --ahead must be positive")
	}
	if f.acov != "spectrum" && f.acov != "dmft" {
		return usagef("--acov must be spectrum or dmft, got %q", f.acov)
	}
	if f.plot != "" {
		if err := checkPlotPath(f.plot); err != nil {
			return err
		}
	}
	rec, err := f.rec.load(e, args[0])
	if err != nil {
		return err
	}
	if err := e.addInput(f.fit); err != nil {
		return err
	}
	res, err := infer.ReadResult(f.fit)
	if err != nil {
		return err
	}
	net, err := infer.NetworkFromResult(res)
	if err != nil {
		return fmt.Errorf("%s: %w", f.fit, err)
	}
	p, err := predictMode(rec, net, f, e.Workers)
	if err != nil {
		return fmt.Errorf("%s with fit %s: %w", args[0], f.fit, err)
	}
	if len(p.Constant) > 0 {
		e.warnf("%d unit(s) are constant through the training window (%s): they are predicted with the median variance of the other units",
			len(p.Constant), strings.Join(p.Constant, ", "))
	}
	s, err := infer.Score(p)
	if err != nil {
		return err
	}
	if e.Out != "" {
		if err := data.WriteTable(e.Out, predictionTable(p), e.writeOptions(map[string]string{"ldfit.mode": f.mode})); err != nil {
			return err
		}
	}
	if f.plot != "" {
		if err := plotPrediction(p, f.plot, rec.TimeUnit, 4); err != nil {
			return err
		}
	}
	if e.JSON {
		o := scoresJSON(f.mode, s)
		o.Constant = p.Constant
		return writeJSON(e.stdout, o)
	}
	printTable(e.stdout, scoreHeader, [][]string{scoreRow(f.mode, "", s)})
	return nil
}

func predictMode(rec *data.Recording, net *infer.Network, f *predictFlags, workers int) (*infer.Prediction, error) {
	switch f.mode {
	case "units":
		seen := make(map[string]bool, len(net.Units))
		for _, u := range net.Units {
			seen[u] = true
		}
		var held []string
		for _, u := range rec.Units {
			if !seen[u] {
				held = append(held, u)
			}
		}
		if len(held) == 0 {
			return nil, usagef("--mode units predicts the units the fit did not see, but the fit saw all %d units of the recording; "+
				"fit on fewer units (--exclude) or use --mode step", rec.N())
		}
		return infer.PredictStep(rec, net, infer.StepOptions{TestFrac: f.testFrac, Units: held, Ahead: f.ahead, Workers: workers})
	case "forecast":
		fo := infer.ForecastOptions{TestFrac: f.testFrac, Lags: f.lags, Spacing: f.spacing, Horizon: f.horizon, Workers: workers}
		if f.acov == "dmft" {
			fo.ACov = infer.DMFTACov(net, rec.Step)
		}
		return infer.PredictForecast(rec, net, fo)
	}
	return infer.PredictStep(rec, net, infer.StepOptions{TestFrac: f.testFrac, Ahead: f.ahead, Workers: workers})
}

// predictionTable lays p out long: one row per unit and time.
func predictionTable(p *infer.Prediction) *data.Table {
	n := len(p.Units) * len(p.Times)
	unit, t := make([]string, 0, n), make([]float64, 0, n)
	var h []int64
	for _, u := range p.Units {
		unit = append(unit, repeat(u, len(p.Times))...)
		t = append(t, p.Times...)
		for _, k := range p.Horizon {
			h = append(h, int64(k))
		}
	}
	cols := []data.Column{{Name: "unit", String: unit}, {Name: "t", Float: t},
		{Name: "observed", Float: p.Observed}, {Name: "mean", Float: p.Mean}, {Name: "sd", Float: p.SD}}
	if p.Horizon != nil {
		cols = append(cols, data.Column{Name: "horizon", Int: h})
	}
	return &data.Table{Columns: cols}
}

func repeat(s string, n int) []string {
	r := make([]string, n)
	for i := range r {
		r[i] = s
	}
	return r
}

var scoreHeader = []string{"predictor", "detail", "R2", "LPD", "cover50", "cover90", "z_mean", "z_var", "samples"}

func scoreRow(name, detail string, s infer.Scores) []string {
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	return []string{name, detail, g(s.R2), g(s.LPD), g(s.Cover50), g(s.Cover90), g(s.ZMean), g(s.ZVar), strconv.Itoa(s.Samples)}
}

type scoresOut struct {
	Predictor string   `json:"predictor"`
	Detail    string   `json:"detail,omitempty"`
	R2        number   `json:"r2"`
	UnitR2    []number `json:"unit_r2"` // null for a unit constant in the test window
	LPD       number   `json:"lpd"`
	Cover50   float64  `json:"cover50"`
	Cover90   float64  `json:"cover90"`
	ZMean     number   `json:"z_mean"`
	ZVar      number   `json:"z_var"`
	Samples   int      `json:"samples"`
	Constant  []string `json:"constant_in_training,omitempty"`
}

func scoresJSON(name string, s infer.Scores) scoresOut {
	o := scoresOut{Predictor: name, R2: number(s.R2), LPD: number(s.LPD), Cover50: s.Cover50, Cover90: s.Cover90,
		ZMean: number(s.ZMean), ZVar: number(s.ZVar), Samples: s.Samples, UnitR2: make([]number, len(s.UnitR2))}
	for i, v := range s.UnitR2 {
		o.UnitR2[i] = number(v)
	}
	return o
}
