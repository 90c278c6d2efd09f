package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// NetworkFromResult returns the network a fit result describes, for prediction.
// Entries of g² that were not fitted are zero; J0 and μ are taken when the result has
// them ("J0", "mu", or per population "J0[a,b]", "mu[a]").
func NetworkFromResult(r *Result) (*Network, error) {
	p := len(r.PopNames)
	if p == 0 {
		return nil, fmt.Errorf("infer: the fit result has no population")
	}
	if len(r.Phi) != p || len(r.Tau) != p {
		return nil, fmt.Errorf("infer: the fit result has %d populations but %d transfer functions and %d time constants", p, len(r.Phi), len(r.Tau))
	}
	net := &Network{Populations: r.PopNames, Tau: r.Tau, Units: r.Units, G2: r.G2(), D: r.D()}
	if net.G2 == nil || net.D == nil {
		return nil, fmt.Errorf("infer: the fit result (method %q) has no estimates of g² and D; refit with --method spectral, exact or nnls", r.Method)
	}
	for _, s := range r.Phi {
		phi, err := models.ParsePhi(s)
		if err != nil {
			return nil, fmt.Errorf("infer: fit result: %w", err)
		}
		net.Phi = append(net.Phi, phi)
	}
	if p == 1 {
		if j0, ok := r.Param("J0"); ok {
			net.J0 = [][]float64{{j0.Estimate}}
		}
		if mu, ok := r.Param("mu"); ok {
			net.Mu = []float64{mu.Estimate}
		}
	}
	for a, pa := range r.PopNames {
		if mu, ok := r.Param("mu[" + pa + "]"); ok {
			if net.Mu == nil {
				net.Mu = make([]float64, p)
			}
			net.Mu[a] = mu.Estimate
		}
		for b, pb := range r.PopNames {
			if j0, ok := r.Param("J0[" + pa + "," + pb + "]"); ok {
				if net.J0 == nil {
					net.J0 = make([][]float64, p)
					for i := range net.J0 {
						net.J0[i] = make([]float64, p)
					}
				}
				net.J0[a][b] = j0.Estimate
			}
		}
	}
	return net, net.check()
}

// Split says which part of a recording is held out for evaluation.
type Split struct {
	// Units, when true, holds out a seeded fraction Frac of the units: the fit sees
	// only the other units, over the training window, and the held-out units are
	// predicted over the last fraction Frac of every trial from their own training
	// window. Otherwise the last fraction Frac of every trial is held out.
	Units bool
	Frac  float64
	Seed  uint64
}

// ParseSplit reads "time:F" or "units:F" with 0 < F < 1.
func ParseSplit(s string, seed uint64) (Split, error) {
	kind, frac, ok := strings.Cut(s, ":")
	f, err := strconv.ParseFloat(frac, 64)
	if !ok || (kind != "time" && kind != "units") || err != nil || !(f > 0 && f < 1) {
		return Split{}, fmt.Errorf("split %q: want time:F or units:F with a fraction 0 < F < 1, e.g. time:0.2", s)
	}
	return Split{Units: kind == "units", Frac: f, Seed: seed}, nil
}

func (s Split) String() string {
	if s.Units {
		return "units:" + strconv.FormatFloat(s.Frac, 'g', -1, 64)
	}
	return "time:" + strconv.FormatFloat(s.Frac, 'g', -1, 64)
}

// EvalOptions controls Evaluate.
type EvalOptions struct {
	Split Split
	// Lags, Spacing and Horizon configure the forecast row (ForecastOptions); Lags < 0
	// leaves the forecast out.
	Lags, Spacing, Horizon int
	// ACov, when set, gives the forecast row's autocovariance from the fitted network
	// (e.g. DMFTACov); nil uses the fitted spectrum (see PredictForecast).
	ACov func(net *Network, step float64) func(pop, maxLag int) ([]float64, error)
	// ACovName names ACov's source in the forecast row's detail (default "spectrum").
	ACovName string
	// MaxOrder is the largest order of the AR(p) baseline.
	MaxOrder int
	Workers  int
}

// EvalRow is one predictor's scores on the held-out data.
type EvalRow struct {
	Name   string
	Detail string // e.g. the chosen AR orders or ridge penalty
	Scores
}

// Evaluation compares the fitted model's predictions of held-out data with baselines
// on the same split.
type Evaluation struct {
	Split      Split
	Held       []string // the units predicted
	TrainUnits int      // units the fit saw
	Rows       []EvalRow
	Network    *Network
	// Best is the name of the one-step predictor with the highest log predictive
	// density; the forecast row predicts further ahead and is not in the contest.
	Best string
	// Model is the model's one-step prediction (the first row).
	Model *Prediction
	// Constant lists the predicted units whose training data say nothing about their
	// variability, for any of the predictors (Prediction.Constant).
	Constant []string
	// Warnings say what in the scores needs attention: units constant in training,
	// model intervals far from calibrated.
	Warnings []string
}

// Limits beyond which Evaluate warns that the model's intervals are not calibrated:
// a variance of the standardised errors beyond 4 means intervals at least twice too
// narrow; a 90% interval covering under 60% of the samples says the same robustly.
const (
	miscalibratedZVar    = 4
	miscalibratedCover90 = 0.6
)

// Evaluate splits rec, fits the network on the training part with fit (the same fit
// as ldfit fit), and scores on the held-out part: the model's one-step predictions
// (PredictStep), its forecast from each unit's own past (PredictForecast), and the
// baselines AR(1), AR(p) and ridge (which uses the fit's φ and τ) — every row on the
// same held-out samples except the forecast, which predicts up to Horizon spacings
// ahead.
func Evaluate(rec *data.Recording, fit func(train *data.Recording) (*Network, error), opt EvalOptions) (*Evaluation, error) {
	sp := opt.Split
	if sp.Frac == 0 {
		sp.Frac = 0.2
	}
	if !(sp.Frac > 0 && sp.Frac < 1) {
		return nil, fmt.Errorf("infer: split fraction %v must lie strictly between 0 and 1", sp.Frac)
	}
	ev := &Evaluation{Split: sp}
	trainUnits, held := rec.Units, []string(nil)
	if sp.Units {
		k := int(math.Round(sp.Frac * float64(rec.N())))
		if k < 1 || k >= rec.N() {
			return nil, fmt.Errorf("infer: holding out a fraction %v of %d units leaves %d held out and %d for the fit; both need at least one",
				sp.Frac, rec.N(), k, rec.N()-k)
		}
		perm := rand.New(rand.NewPCG(sp.Seed, 0x5eed)).Perm(rec.N())
		out := make(map[int]bool, k)
		for _, i := range perm[:k] {
			out[i] = true
		}
		trainUnits = nil
		for i, u := range rec.Units {
			if out[i] {
				held = append(held, u)
			} else {
				trainUnits = append(trainUnits, u)
			}
		}
	}
	train, err := trainingPart(rec, trainUnits, sp.Frac)
	if err != nil {
		return nil, err
	}
	net, err := fit(train)
	if err != nil {
		return nil, fmt.Errorf("fit on the training part: %w", err)
	}
	ev.Network, ev.Held, ev.TrainUnits = net, held, len(trainUnits)
	if held == nil {
		ev.Held = rec.Units
	}
	w := max(opt.Workers, 1)
	// Held-out units are predicted with the fit's parameters; the unit check applies to
	// the units the fit saw, which the recording must contain.
	step, err := PredictStep(rec, net, StepOptions{TestFrac: sp.Frac, Units: held, Workers: w})
	if err != nil {
		return nil, err
	}
	if err := ev.add("model", "one step", step); err != nil {
		return nil, err
	}
	ev.Model = step
	if m := ev.Rows[0]; m.ZVar > miscalibratedZVar || m.Cover90 < miscalibratedCover90 {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("the model's one-step intervals are far too narrow: the 90%% interval covers %.1f%% "+
			"of the held-out samples and the standardised errors have variance %.3g (1 if calibrated); the fitted noise intensity D = %s "+
			"leaves the model no room for what the couplings do not explain: compare another fit method (exact fits τ, g, D, J0, μ jointly) "+
			"or time constant", 100*m.Cover90, m.ZVar, formatList(net.D)))
	}
	bo := BaselineOptions{TestFrac: sp.Frac, Units: held, MaxOrder: opt.MaxOrder, Workers: w}
	ar1, _, err := AR(rec, 1, bo)
	if err != nil {
		return nil, err
	}
	if err := ev.add("AR(1)", "per unit", ar1); err != nil {
		return nil, err
	}
	arp, orders, err := AR(rec, 0, bo)
	if err != nil {
		return nil, err
	}
	if err := ev.add("AR(p)", "p "+orderRange(orders), arp); err != nil {
		return nil, err
	}
	ridge, lambda, err := Ridge(rec, net, bo)
	if err != nil {
		return nil, err
	}
	if err := ev.add("ridge", fmt.Sprintf("λ %.3g", lambda), ridge); err != nil {
		return nil, err
	}
	if len(ev.Constant) > 0 {
		ev.Warnings = append(ev.Warnings, fmt.Sprintf("%d predicted unit(s) carry no information on their variability in the training window "+
			"(constant there, or over the samples an AR fit used): %s; they are predicted with the median variance of the recording's units",
			len(ev.Constant), abbreviate(ev.Constant, 5)))
	}
	best := ev.Rows[0]
	for _, r := range ev.Rows[1:] {
		if r.LPD > best.LPD {
			best = r
		}
	}
	ev.Best = best.Name
	if opt.Lags >= 0 {
		fo := ForecastOptions{TestFrac: sp.Frac, Units: held, Lags: opt.Lags, Spacing: opt.Spacing, Horizon: opt.Horizon, Workers: w}
		if opt.ACov != nil {
			fo.ACov = opt.ACov(net, rec.Step)
		}
		fc, err := PredictForecast(rec, net, fo)
		if err != nil {
			return nil, err
		}
		if fo.Lags == 0 {
			fo.Lags = 20
		}
		if fo.Horizon == 0 {
			fo.Horizon = 10
		}
		src := opt.ACovName
		if src == "" {
			src = "spectrum"
		}
		if err := ev.add("model forecast", fmt.Sprintf("%d lags, 1–%d ahead, %s", fo.Lags, fo.Horizon, src), fc); err != nil {
			return nil, err
		}
	}
	return ev, nil
}

func (ev *Evaluation) add(name, detail string, p *Prediction) error {
	s, err := Score(p)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, u := range p.Constant {
		if !slices.Contains(ev.Constant, u) {
			ev.Constant = append(ev.Constant, u)
		}
	}
	ev.Rows = append(ev.Rows, EvalRow{Name: name, Detail: detail, Scores: s})
	return nil
}

func formatList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'g', 3, 64)
	}
	return strings.Join(s, ", ")
}

func orderRange(o []int) string {
	s := append([]int(nil), o...)
	sort.Ints(s)
	return fmt.Sprintf("%d–%d (median %d)", s[0], s[len(s)-1], s[len(s)/2])
}

// trainingPart returns the named units over the first 1−frac of every trial.
func trainingPart(rec *data.Recording, units []string, frac float64) (*data.Recording, error) {
	idx, err := unitIndices(rec, units)
	if err != nil {
		return nil, err
	}
	out := &data.Recording{Step: rec.Step, TimeUnit: rec.TimeUnit, Meta: rec.Meta}
	for _, i := range idx {
		out.Units = append(out.Units, rec.Units[i])
		if rec.Populations != nil {
			out.Populations = append(out.Populations, rec.Populations[i])
		}
	}
	for _, tr := range rec.Trials {
		n := tr.Len - int(math.Round(frac*float64(tr.Len)))
		if n < 2 {
			return nil, fmt.Errorf("infer: trial %q has %d samples, too few to hold out a fraction %v", tr.Name, tr.Len, frac)
		}
		t := data.Trial{Name: tr.Name, Start: tr.Start, Len: n, Data: make([]float64, 0, n*len(idx))}
		for _, i := range idx {
			t.Data = append(t.Data, tr.Unit(i)[:n]...)
		}
		out.Trials = append(out.Trials, t)
	}
	return out, nil
}
