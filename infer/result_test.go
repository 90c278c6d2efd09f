package infer

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ldfit/ldfit/data"
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
