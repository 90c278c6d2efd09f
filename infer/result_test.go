package infer

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

func sampleResult() *Result {
	return &Result{
		Method:      "spectral",
		Posterior:   "laplace",
		Source:      "rec.parquet",
		Step:        0.05,
		TimeUnit:    "s",
		Units:       []string{"u1", "u2", "u3"},
		Populations: []string{"E", "E", "I"},
		PopNames:    []string{"E", "I"},
		Phi:         []string{"tanh", "relu"},
		Tau:         []float64{0.1, 0.25},
		Params: []ParamEstimate{
			{Name: G2Name("E", "E"), Estimate: 2.25, SE: 0.1, Lower: 2.06, Upper: 2.45},
			{Name: G2Name("I", "E"), Estimate: 0.5, SE: 0.05, Lower: 0.41, Upper: 0.61},
			{Name: DName("E"), Estimate: 0.5, SE: 0.01, Lower: 0.48, Upper: 0.52},
			{Name: GName("E", "E"), Estimate: 1.5, SE: 0.033, Lower: 1.43, Upper: 1.57, Derived: true},
		},
		Corr:      [][]float64{{1, -0.3, 0.2}, {-0.3, 1, 0.1}, {0.2, 0.1, 1}},
		LogLik:    -1234.5,
		Converged: true,
		Spectra: []Spectrum{
			{Population: "E", Freq: []float64{0.1, 0.2}, Observed: []float64{3, 2}, Fitted: []float64{3.1, 1.9}},
			{Population: "I", Freq: []float64{0.1, 0.2}, Observed: []float64{1, 0.5}, Fitted: []float64{0.9, 0.6}},
		},
		Fit:      []Goodness{{Population: "E", MedianRelErr: 0.04, RMSRelErr: 0.05, MaxRelErr: 0.1, ExpectedRelErr: math.NaN(), VarExplained: 0.8}},
		Warnings: []string{"populations E and I have similar spectra"},
	}
}

func TestResultRoundTrip(t *testing.T) {
	for _, ext := range []string{"parquet", "arrow"} {
		want := sampleResult()
		path := filepath.Join(t.TempDir(), "fit."+ext)
		if err := WriteResult(path, want, data.WriteOptions{Meta: map[string]string{"extra": "1"}}); err != nil {
			t.Fatal(err)
		}
		got, err := ReadResult(path)
		if err != nil {
			t.Fatal(err)
		}
		// NaN ≠ NaN: compare the goodness of fit field by field.
		if g := got.Fit[0]; !math.IsNaN(g.ExpectedRelErr) || g.VarExplained != 0.8 || g.MaxRelErr != 0.1 {
			t.Errorf("%s: goodness %+v", ext, g)
		}
		got.Fit, want.Fit = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back\n%+v\nwant\n%+v", ext, got, want)
		}
		if g2 := got.G2(); !reflect.DeepEqual(g2, [][]float64{{2.25, 0}, {0.5, 0}}) {
			t.Errorf("G2 = %v", g2)
		}
		if d := got.D(); d != nil {
			t.Errorf("D = %v, want nil (D[I] missing)", d)
		}
	}
}

func TestReadResultRejectsOtherTables(t *testing.T) {
	path := filepath.Join(t.TempDir(), "other.parquet")
	tab := &data.Table{Columns: []data.Column{{Name: "x", Float: []float64{1}}}}
	if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResult(path); err == nil {
		t.Error("a table that is not a fit result was accepted")
	}
}

// Every method fills the same fields of the Result, and they survive the file: a field
// one method left empty (the exact method's sampling step once) shows in the output of
// ldfit fit and ldfit predict.
func TestResultEveryMethodFilled(t *testing.T) {
	rec := recSimulate(t, network.Single(60, 1.5, 0.5, models.Tanh{}), 2048, 11)
	st, err := likelihood.SpectralStats(rec, likelihood.StatsOptions{Segment: 128, Blocks: 4})
	if err != nil {
		t.Fatal(err)
	}
	exact := func(opt likelihood.ExactOptions, fit ExactFit) (*Result, error) {
		obj, err := likelihood.NewExact(rec, opt)
		if err != nil {
			return nil, err
		}
		return FitExact(obj, fit)
	}
	for _, m := range []struct {
		name string
		fit  func() (*Result, error)
		tau  float64
	}{
		{"spectral", func() (*Result, error) { return FitSpectral(st, SpectralFit{Errors: ErrorsFisher}) }, 1},
		{"nnls", func() (*Result, error) { return FitNNLS(st, []float64{1}, []string{"tanh"}) }, 1},
		{"exact", func() (*Result, error) { return exact(likelihood.ExactOptions{}, ExactFit{Stats: st}) }, 0},
		{"exact without spectra", func() (*Result, error) { return exact(likelihood.ExactOptions{}, ExactFit{Step: rec.Step}) }, 0},
		{"exact, τ fixed", func() (*Result, error) {
			return exact(likelihood.ExactOptions{Tau: 0.8, FixTau: true}, ExactFit{Step: rec.Step, Tau: 0.8})
		}, 0.8},
	} {
		res, err := m.fit()
		if err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
		res.Describe("sim.parquet", rec.TimeUnit, rec.Units, rec.Populations)
		path := filepath.Join(t.TempDir(), "fit.parquet")
		if err := WriteResult(path, res, data.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		got, err := ReadResult(path)
		if err != nil {
			t.Fatal(err)
		}
		fitted := 0
		for _, p := range got.Params {
			if !p.Derived {
				fitted++
			}
		}
		switch {
		case got.Method == "" || got.Posterior == "" || got.Source != "sim.parquet" || got.TimeUnit != rec.TimeUnit:
			t.Errorf("%s: method %q, posterior %q, source %q, time unit %q", m.name, got.Method, got.Posterior, got.Source, got.TimeUnit)
		case got.Step != rec.Step:
			t.Errorf("%s: step %v read back, want %v", m.name, got.Step, rec.Step)
		case len(got.Units) != 60 || len(got.Populations) != 60 || len(got.PopNames) != 1 || len(got.Phi) != 1 || got.Phi[0] != "tanh":
			t.Errorf("%s: %d units, %d population labels, populations %q, φ %q", m.name, len(got.Units), len(got.Populations), got.PopNames, got.Phi)
		case len(got.Tau) != 1 || !(got.Tau[0] > 0) || m.tau != 0 && got.Tau[0] != m.tau:
			t.Errorf("%s: τ %v, want %v", m.name, got.Tau, m.tau)
		case len(got.Corr) != fitted || fitted < 2 || math.Abs(got.Corr[0][1]) > 1 || got.Corr[1][1] != 1:
			t.Errorf("%s: %d fitted parameters, correlation %v", m.name, fitted, got.Corr)
		case math.IsNaN(got.LogLik) || math.IsInf(got.LogLik, 0) || !got.Converged:
			t.Errorf("%s: log-likelihood %v, converged %v", m.name, got.LogLik, got.Converged)
		case got.G2() == nil || got.D() == nil:
			t.Errorf("%s: G2 %v, D %v from %+v", m.name, got.G2(), got.D(), got.Params)
		case m.name != "exact without spectra" && m.name != "exact, τ fixed" && (len(got.Spectra) != 1 || len(got.Fit) != 1):
			t.Errorf("%s: %d spectra, %d goodness-of-fit rows", m.name, len(got.Spectra), len(got.Fit))
		}
	}
}
