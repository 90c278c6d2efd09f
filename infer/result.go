package infer

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/data"
)

// Result is a fitted network model as ldfit fit reports it and writes it to a file:
// what was fitted to which recording, the parameter estimates with their uncertainty,
// and the goodness-of-fit spectra.
//
// Parameter names follow one convention whatever the method, so that a reader need not
// know how the fit was made: "g2[a,b]" (g_ab², coupling variance from population b to
// a), "g[a,b]" (its square root), "D[a]" (noise intensity); with a single population
// plainly "g2", "g", "D"; and "tau", "J0", "mu" for the exact method's time constant,
// mean coupling and bias. G2 and D read them back whatever the case.
type Result struct {
	Method    string // "spectral", "exact" or "nnls"
	Posterior string // how the uncertainty was measured: "laplace", "mcmc", ...
	Source    string // the recording's path

	Step        float64  // sampling step of the recording, in TimeUnit
	TimeUnit    string   // unit of Step and of Tau
	Units       []string // recorded units the fit used
	Populations []string // population of each unit, parallel to Units

	PopNames []string  // the model's populations, in the order of every per-population field
	Phi      []string  // transfer function per population, as models.ParsePhi reads it
	Tau      []float64 // time constant per population, in TimeUnit

	Params    []ParamEstimate
	Corr      [][]float64 // correlation of the estimates of Params whose Derived is false
	LogLik    float64
	Converged bool

	// Profile is the profile log-likelihood of τ when it was profiled, else nil.
	Profile *Profile

	Spectra  []Spectrum // observed and fitted residual spectrum per population
	Fit      []Goodness // goodness of fit per population
	Warnings []string
}

// ParamEstimate is one parameter's estimate with its standard error and 95% interval.
type ParamEstimate struct {
	Name                       string
	Estimate, SE, Lower, Upper float64
	// Derived marks a function of the fitted parameters (g from g²), reported for
	// convenience and not part of Corr.
	Derived bool
}

// Spectrum is a population's residual spectrum S_y(f) as observed (population-averaged
// periodogram) and as fitted (Σ_b g_ab² S_φ,b(f) + 2D_a/a).
type Spectrum struct {
	Population string
	Freq       []float64 // in cycles per TimeUnit
	Observed   []float64
	Fitted     []float64
}

// Profile is a profile log-likelihood over a grid of time constants.
type Profile struct {
	Tau, LogLik  []float64
	Lower, Upper float64 // grid values within 1.92 of the maximum
	Flat         bool    // the range reaches an end of the grid: τ is not determined
}

// Param returns the estimate named name.
func (r *Result) Param(name string) (ParamEstimate, bool) {
	for _, p := range r.Params {
		if p.Name == name {
			return p, true
		}
	}
	return ParamEstimate{}, false
}

// G2 returns the estimated matrix g_ab² over PopNames, or nil when the result has none
// (entries not fitted are zero).
func (r *Result) G2() [][]float64 {
	g := make([][]float64, len(r.PopNames))
	found := false
	for a, pa := range r.PopNames {
		g[a] = make([]float64, len(r.PopNames))
		for b, pb := range r.PopNames {
			if p, ok := r.Param(G2Name(pa, pb)); ok {
				g[a][b], found = p.Estimate, true
			}
		}
	}
	if !found && len(r.PopNames) == 1 {
		if p, ok := r.Param("g2"); ok {
			return [][]float64{{p.Estimate}}
		}
		if p, ok := r.Param("g"); ok {
			return [][]float64{{p.Estimate * p.Estimate}}
		}
	}
	if !found {
		return nil
	}
	return g
}

// D returns the estimated noise intensity per population, or nil when the result has
// none.
func (r *Result) D() []float64 {
	d := make([]float64, len(r.PopNames))
	for a, pa := range r.PopNames {
		p, ok := r.Param(DName(pa))
		if !ok && len(r.PopNames) == 1 {
			p, ok = r.Param("D")
		}
		if !ok {
			return nil
		}
		d[a] = p.Estimate
	}
	return d
}

// G2Name, GName and DName are the names of the per-population parameters in a
// Result with several populations.
func G2Name(a, b string) string { return "g2[" + a + "," + b + "]" }
func GName(a, b string) string  { return "g[" + a + "," + b + "]" }
func DName(a string) string     { return "D[" + a + "]" }

// Row kinds of the result table.
const (
	kindParam    = "param"
	kindDerived  = "derived"
	kindCorr     = "corr"
	kindPop      = "population"
	kindUnit     = "unit"
	kindSpectrum = "spectrum"
	kindGoodness = "goodness"
	kindWarning  = "warning"
	kindProfile  = "profile"
)

// resultColumns are the columns of the result table, in order.
var resultColumns = []string{"kind", "name", "population", "phi", "estimate", "se", "lower", "upper", "freq", "observed", "fitted"}

// WriteResult writes r to path (Parquet, or Arrow IPC by extension) as one long table
// that any Parquet reader shows directly: a string column kind says what each row is —
//
//	param      name, estimate, se, lower, upper (95% interval)
//	derived    the same, for functions of the parameters (g from g²)
//	corr       name "p|q", estimate: correlation of the estimates of p and q
//	population name, phi, estimate: time constant τ
//	unit       name, population
//	spectrum   population, freq, observed, fitted
//	goodness   population, name (median_rel_error, max_rel_error, var_explained), estimate
//	warning    name: the text
//	profile    estimate: τ, observed: profile log-likelihood (when τ was profiled)
//
// and float fields that do not apply to a kind are NaN, strings empty. The method,
// posterior, source, step, time unit, log-likelihood and convergence are in the file's
// key-value metadata, with opt.Meta; opt.Inputs lists paths that must not be overwritten.
func WriteResult(path string, r *Result, opt data.WriteOptions) error {
	t := &data.Table{Meta: map[string]string{
		"ldfit.kind":  "fit",
		"method":      r.Method,
		"posterior":   r.Posterior,
		"source":      r.Source,
		"step":        strconv.FormatFloat(r.Step, 'g', -1, 64),
		"time_unit":   r.TimeUnit,
		"loglik":      strconv.FormatFloat(r.LogLik, 'g', -1, 64),
		"converged":   strconv.FormatBool(r.Converged),
		"populations": strings.Join(r.PopNames, ","),
	}}
	var rows resultRows
	var fitted []string
	for _, p := range r.Params {
		k := kindParam
		if p.Derived {
			k = kindDerived
		} else {
			fitted = append(fitted, p.Name)
		}
		rows.add(k, p.Name, "", "", p.Estimate, p.SE, p.Lower, p.Upper, nan, nan, nan)
	}
	for i, row := range r.Corr {
		for j := 0; j < i && j < len(row); j++ {
			if i < len(fitted) && j < len(fitted) {
				rows.add(kindCorr, fitted[i]+"|"+fitted[j], "", "", row[j], nan, nan, nan, nan, nan, nan)
			}
		}
	}
	for a, name := range r.PopNames {
		rows.add(kindPop, name, name, at(r.Phi, a), atf(r.Tau, a), nan, nan, nan, nan, nan, nan)
	}
	for i, u := range r.Units {
		rows.add(kindUnit, u, at(r.Populations, i), "", nan, nan, nan, nan, nan, nan, nan)
	}
	for _, s := range r.Spectra {
		for k, f := range s.Freq {
			rows.add(kindSpectrum, "", s.Population, "", nan, nan, nan, nan, f, atf(s.Observed, k), atf(s.Fitted, k))
		}
	}
	for _, g := range r.Fit {
		for _, m := range g.measures() {
			rows.add(kindGoodness, m.name, g.Population, "", m.value, nan, nan, nan, nan, nan, nan)
		}
	}
	if pr := r.Profile; pr != nil {
		for k, tau := range pr.Tau {
			rows.add(kindProfile, "tau", "", "", tau, nan, nan, nan, nan, atf(pr.LogLik, k), nan)
		}
		t.Meta["tau_profile"] = fmt.Sprintf("%s,%s,%t", strconv.FormatFloat(pr.Lower, 'g', -1, 64), strconv.FormatFloat(pr.Upper, 'g', -1, 64), pr.Flat)
	}
	for _, w := range r.Warnings {
		rows.add(kindWarning, w, "", "", nan, nan, nan, nan, nan, nan, nan)
	}
	t.Columns = rows.columns()
	meta := t.Meta
	t.Meta = map[string]string{}
	for k, v := range opt.Meta {
		t.Meta[k] = v
	}
	for k, v := range meta {
		t.Meta[k] = v
	}
	opt.Meta = t.Meta
	return data.WriteTable(path, t, opt)
}

var nan = math.NaN()

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

func atf(s []float64, i int) float64 {
	if i < len(s) {
		return s[i]
	}
	return nan
}

// resultRows accumulates the rows of the result table column by column.
type resultRows struct {
	str [4][]string
	num [7][]float64
}

func (r *resultRows) add(kind, name, pop, phi string, v ...float64) {
	for i, s := range []string{kind, name, pop, phi} {
		r.str[i] = append(r.str[i], s)
	}
	for i, x := range v {
		r.num[i] = append(r.num[i], x)
	}
}

func (r *resultRows) columns() []data.Column {
	cols := make([]data.Column, len(resultColumns))
	for i, name := range resultColumns {
		cols[i].Name = name
		if i < len(r.str) {
			cols[i].String = nonNil(r.str[i])
		} else {
			cols[i].Float = nonNil(r.num[i-len(r.str)])
		}
	}
	return cols
}

// nonNil returns s, or an empty slice for nil: a column of no rows, not a missing one.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ReadResult reads a result written by WriteResult (or ldfit fit -o).
func ReadResult(path string) (*Result, error) {
	t, err := data.ReadTable(path)
	if err != nil {
		return nil, err
	}
	if k := t.Meta["ldfit.kind"]; k != "fit" {
		return nil, fmt.Errorf("%s: not an ldfit fit result (metadata ldfit.kind is %q); write one with ldfit fit -o", path, k)
	}
	cols := make(map[string]*data.Column)
	for _, name := range resultColumns {
		c := t.Col(name)
		if c == nil {
			return nil, fmt.Errorf("%s: fit result has no column %q; was it written by ldfit fit -o?", path, name)
		}
		cols[name] = c
	}
	r := &Result{
		Method:    t.Meta["method"],
		Posterior: t.Meta["posterior"],
		Source:    t.Meta["source"],
		TimeUnit:  t.Meta["time_unit"],
	}
	if r.Step, err = metaFloat(t.Meta, "step"); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if r.LogLik, err = metaFloat(t.Meta, "loglik"); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	r.Converged = t.Meta["converged"] == "true"

	if err := r.fillRows(cols); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if r.Profile != nil {
		f := strings.Split(t.Meta["tau_profile"], ",")
		if len(f) != 3 {
			return nil, fmt.Errorf("%s: fit result has τ profile rows but metadata tau_profile is %q", path, t.Meta["tau_profile"])
		}
		r.Profile.Lower, _ = strconv.ParseFloat(f[0], 64)
		r.Profile.Upper, _ = strconv.ParseFloat(f[1], 64)
		r.Profile.Flat = f[2] == "true"
	}
	return r, nil
}

func metaFloat(meta map[string]string, key string) (float64, error) {
	v, err := strconv.ParseFloat(meta[key], 64)
	if err != nil {
		return 0, fmt.Errorf("fit result metadata %q is %q, not a number", key, meta[key])
	}
	return v, nil
}

func (r *Result) fillRows(c map[string]*data.Column) error {
	kind, name, pop, phi := c["kind"].String, c["name"].String, c["population"].String, c["phi"].String
	est, se, lo, hi := c["estimate"].Float, c["se"].Float, c["lower"].Float, c["upper"].Float
	freq, obs, fit := c["freq"].Float, c["observed"].Float, c["fitted"].Float
	if kind == nil || name == nil || pop == nil || phi == nil || est == nil || se == nil || lo == nil || hi == nil || freq == nil || obs == nil || fit == nil {
		return errors.New("fit result columns have the wrong types (kind, name, population, phi are strings; the others float64)")
	}
	index := map[string]int{}
	corr := map[[2]string]float64{}
	spectra := map[string]int{}
	goodness := map[string]int{}
	for i, k := range kind {
		switch k {
		case kindParam, kindDerived:
			r.Params = append(r.Params, ParamEstimate{Name: name[i], Estimate: est[i], SE: se[i], Lower: lo[i], Upper: hi[i], Derived: k == kindDerived})
			if k == kindParam {
				index[name[i]] = len(index)
			}
		case kindCorr:
			p, q, ok := strings.Cut(name[i], "|")
			if !ok {
				return fmt.Errorf("row %d: correlation name %q is not \"p|q\"", i, name[i])
			}
			corr[[2]string{p, q}] = est[i]
		case kindPop:
			r.PopNames = append(r.PopNames, name[i])
			r.Phi = append(r.Phi, phi[i])
			r.Tau = append(r.Tau, est[i])
		case kindUnit:
			r.Units = append(r.Units, name[i])
			r.Populations = append(r.Populations, pop[i])
		case kindSpectrum:
			s := byPopulation(&r.Spectra, spectra, pop[i], func(p string) Spectrum { return Spectrum{Population: p} })
			s.Freq = append(s.Freq, freq[i])
			s.Observed = append(s.Observed, obs[i])
			s.Fitted = append(s.Fitted, fit[i])
		case kindGoodness:
			g := byPopulation(&r.Fit, goodness, pop[i], func(p string) Goodness { return Goodness{Population: p} })
			if err := g.set(name[i], est[i]); err != nil {
				return fmt.Errorf("row %d: %v", i, err)
			}
		case kindWarning:
			r.Warnings = append(r.Warnings, name[i])
		case kindProfile:
			if r.Profile == nil {
				r.Profile = &Profile{}
			}
			r.Profile.Tau = append(r.Profile.Tau, est[i])
			r.Profile.LogLik = append(r.Profile.LogLik, obs[i])
		default:
			return fmt.Errorf("row %d: unknown row kind %q", i, k)
		}
	}
	r.Corr = make([][]float64, len(index))
	for i := range r.Corr {
		r.Corr[i] = make([]float64, len(index))
		r.Corr[i][i] = 1
	}
	for p, i := range index {
		for q, j := range index {
			if v, ok := corr[[2]string{p, q}]; ok {
				r.Corr[i][j] = v
				r.Corr[j][i] = v
			}
		}
	}
	return nil
}

// byPopulation returns the element of *list for population pop, appending one made by
// mk the first time pop is seen (index maps populations to their place in *list).
func byPopulation[T any](list *[]T, index map[string]int, pop string, mk func(string) T) *T {
	j, ok := index[pop]
	if !ok {
		j = len(*list)
		index[pop] = j
		*list = append(*list, mk(pop))
	}
	return &(*list)[j]
}
