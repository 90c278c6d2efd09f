package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// predictFixture simulates a network, fits it with ldfit fit -o and returns the paths
// of the recording and the fit.
func predictFixture(t *testing.T) (rec, fit string) {
	t.Helper()
	rec = fitRecording(t, network.Single(120, 1.5, 0.5, models.Tanh{}), 4000, 5)
	fit = filepath.Join(t.TempDir(), "fit.parquet")
	wantExit(t, 0, nil, "fit", rec, "-o", fit, "--segment", "256", "--errors", "fisher", "--restarts", "0")
	return rec, fit
}

func TestPredictCommand(t *testing.T) {
	rec, fit := predictFixture(t)
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "pred.parquet"), filepath.Join(dir, "pred.png")
	stdout, _ := wantExit(t, 0, nil, "predict", rec, "--fit", fit, "--json", "-o", out, "--plot", fig)
	var s scoresOut
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	t.Logf("step: R² %.4f LPD %.4f cover50 %.4f cover90 %.4f z var %.4f", s.R2, s.LPD, s.Cover50, s.Cover90, s.ZVar)
	if s.Samples != 120*800 || s.ZVar < 0.85 || s.ZVar > 1.15 || s.Cover90 < 0.87 || s.Cover90 > 0.93 {
		t.Errorf("one-step predictions of the fitted network: %d samples, z variance %.3f, 90%% coverage %.3f; want 96000, ≈ 1, ≈ 0.9",
			s.Samples, s.ZVar, s.Cover90)
	}
	tab, err := data.ReadTable(out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range tab.Columns {
		names = append(names, c.Name)
	}
	if strings.Join(names, ",") != "unit,t,observed,mean,sd" || len(tab.Columns[0].String) != 96000 {
		t.Errorf("prediction table has columns %v and %d rows; want unit,t,observed,mean,sd and 96000", names, len(tab.Columns[0].String))
	}
	if st, err := os.Stat(fig); err != nil || st.Size() < 1000 {
		t.Errorf("figure %s: %v", fig, err)
	}
	stdout, _ = wantExit(t, 0, nil, "predict", rec, "--fit", fit, "--json", "--ahead", "3")
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	t.Logf("3 steps ahead: R² %.4f LPD %.4f cover50 %.4f cover90 %.4f z var %.4f", s.R2, s.LPD, s.Cover50, s.Cover90, s.ZVar)
	if s.ZVar < 0.85 || s.ZVar > 1.15 || s.Cover90 < 0.87 || s.Cover90 > 0.93 {
		t.Errorf("3 steps ahead: z variance %.3f, 90%% coverage %.3f; want ≈ 1 and ≈ 0.9", s.ZVar, s.Cover90)
	}
	for _, acov := range []string{"spectrum", "dmft"} {
		stdout, _ = wantExit(t, 0, nil, "predict", rec, "--fit", fit, "--json", "--mode", "forecast", "--acov", acov, "--lags", "10", "--horizon", "5")
		if err := json.Unmarshal([]byte(stdout), &s); err != nil {
			t.Fatalf("%v in %s", err, stdout)
		}
		t.Logf("forecast, %s autocovariance: R² %.4f LPD %.4f cover50 %.4f cover90 %.4f z var %.4f", acov, s.R2, s.LPD, s.Cover50, s.Cover90, s.ZVar)
		if s.Cover90 < 0.85 || s.Cover90 > 0.95 {
			t.Errorf("forecast with the %s autocovariance: 90%% coverage %.3f", acov, s.Cover90)
		}
	}
}

func TestPredictCommandErrors(t *testing.T) {
	rec, fit := predictFixture(t)
	r, err := data.ReadRecording(rec, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The same activity under other unit names: a different recording for the fit.
	renamed := *r
	renamed.Units = make([]string, len(r.Units))
	for i, u := range r.Units {
		renamed.Units[i] = "x" + u
	}
	other := filepath.Join(t.TempDir(), "other.parquet")
	if err := data.WriteRecording(other, &renamed, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// A fit with populations, applied to a recording without population labels.
	two := network.Model{
		Pops: []network.Pop{{Name: "E", N: 60, Tau: 1, D: 0.5, Phi: models.Tanh{}}, {Name: "I", N: 40, Tau: 1, D: 0.5, Phi: models.Tanh{}}},
		G2:   [][]float64{{1, 1}, {1, 1}},
	}
	labelled := fitRecording(t, two, 4000, 6)
	fit2 := filepath.Join(t.TempDir(), "fit2.parquet")
	wantExit(t, 0, nil, "fit", labelled, "-o", fit2, "--segment", "256", "--errors", "fisher", "--restarts", "0")
	lr, err := data.ReadRecording(labelled, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lr.Populations = nil
	delete(lr.Meta, "populations")
	unlabelled := filepath.Join(t.TempDir(), "unlabelled.parquet")
	if err := data.WriteRecording(unlabelled, lr, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"predict", rec, "--fit", fit, "--mode", "forecast", "--lags", "4000"}, "precede the test window"},
		{[]string{"predict", rec, "--fit", fit, "--mode", "forecast", "--horizon", "900"}, "shorter than one forecast"},
		{[]string{"predict", other, "--fit", fit}, "different recording"},
		{[]string{"predict", unlabelled, "--fit", fit2}, "--populations"},
		{[]string{"predict", rec, "--fit", fit, "--mode", "units"}, "the fit saw all"},
		{[]string{"predict", rec, "--fit", fit, "--acov", "data"}, "--acov"},
		{[]string{"predict", rec, "--fit", fit, "--ahead", "0"}, "--ahead"},
		{[]string{"predict", rec, "--fit", fit, "--plot", "pred.pdf"}, ".png or .svg"},
		{[]string{"predict", rec}, "--fit FILE is required"},
		{[]string{"evaluate", rec, "--split", "rows:0.2"}, "--split"},
		{[]string{"evaluate", rec, "--method", "magic"}, "--method"},
		{[]string{"evaluate", rec, "--lags", "4000"}, "precede the test window"},
	}
	for _, c := range cases {
		code, _, stderr := ldfit(t, c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("ldfit %s: exit %d, stderr %q; want an error saying %q", strings.Join(c.args[:1], " "), code, stderr, c.want)
		}
	}
}

type evaluationJSONOut struct {
	Method   string
	Best     string
	D        []float64
	Warnings []string
	Rows     []scoresOut
}

func evaluateJSON(t *testing.T, args ...string) (evaluationJSONOut, string) {
	t.Helper()
	stdout, stderr := wantExit(t, 0, nil, append([]string{"evaluate", "--json"}, args...)...)
	var o evaluationJSONOut
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	return o, stderr
}

// On simulated data the fit of the training part predicts the held-out part better
// than AR(1), by either split.
func TestEvaluateCommand(t *testing.T) {
	rec := fitRecording(t, network.Single(120, 1.5, 0.5, models.Tanh{}), 4000, 5)
	table := filepath.Join(t.TempDir(), "eval.parquet")
	for _, split := range []string{"time:0.2", "units:0.25"} {
		o, _ := evaluateJSON(t, rec, "--split", split, "--segment", "256", "--errors", "fisher", "--lags", "10", "--horizon", "5", "-o", table)
		tab, err := data.ReadTable(table)
		if err != nil {
			t.Fatal(err)
		}
		if got := tab.Columns[0].String; len(got) != 5 || got[0] != "model" || tab.Columns[3].Float[0] != float64(o.Rows[0].LPD) {
			t.Errorf("%s: table written with -o has predictors %q and model LPD %v; want the 5 rows printed", split, got, tab.Columns[3].Float)
		}
		if len(o.Rows) != 5 || o.Rows[0].Predictor != "model" || o.Rows[1].Predictor != "AR(1)" {
			t.Fatalf("%s: rows %+v", split, o.Rows)
		}
		t.Logf("%s: model LPD %.4f, AR(1) %.4f, ridge %.4f; best %s", split, o.Rows[0].LPD, o.Rows[1].LPD, o.Rows[3].LPD, o.Best)
		if !(o.Rows[0].LPD > o.Rows[1].LPD) {
			t.Errorf("%s: model LPD %.4f does not beat AR(1) %.4f", split, o.Rows[0].LPD, o.Rows[1].LPD)
		}
	}
}

// The Aplysia recording, spontaneous part (0–30 s, 50 ms bins, sqrt counts), is
// nearly white: the spectral likelihood cannot separate g² from 2D/a and sets D ≈ 0,
// and the model's one-step intervals collapse — which evaluate must say. The exact
// coupling-marginal likelihood, the regression's own evidence, keeps D away from 0
// and gives intervals of the right width.
func TestEvaluateAplysia(t *testing.T) {
	const aplysia = "../../testdata/aplysia_Jun0214da01_spikes.parquet"
	common := []string{aplysia, "--bin", "0.05", "--transform", "sqrt", "--to", "30"}
	spec, stderr := evaluateJSON(t, common...)
	t.Logf("spectral: D %v; model cover90 %.3f z var %.4g", spec.D, spec.Rows[0].Cover90, spec.Rows[0].ZVar)
	// Whatever the spectral fit gives, evaluate must say when the intervals collapse.
	if narrow := spec.Rows[0].Cover90 < 0.6; narrow != strings.Contains(stderr, "far too narrow") {
		t.Errorf("spectral fit: model's 90%% coverage %.3f (D %v), but the warning that the intervals are far too narrow is %v:\n%s",
			spec.Rows[0].Cover90, spec.D, !narrow, stderr)
	}
	exact, stderr := evaluateJSON(t, append(common, "--method", "exact")...)
	m := exact.Rows[0]
	t.Logf("exact: D %v; model LPD %.4f cover90 %.3f z var %.3f; AR(1) LPD %.4f; ridge %.4f", exact.D, m.LPD, m.Cover90, m.ZVar, exact.Rows[1].LPD, exact.Rows[3].LPD)
	if strings.Contains(stderr, "far too narrow") || m.ZVar < 0.7 || m.ZVar > 1.5 || m.Cover90 < 0.85 {
		t.Errorf("exact fit: model z variance %.3f, 90%% coverage %.3f; want calibrated widths\n%s", m.ZVar, m.Cover90, stderr)
	}
	if exact.Method != "exact" || !(exact.D[0] > 0.005) {
		t.Errorf("exact fit: method %q, D %v; want D well above 0", exact.Method, exact.D)
	}
}
