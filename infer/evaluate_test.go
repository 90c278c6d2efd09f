package infer

import (
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
)

// fitSpectral fits g² and D by the spectral likelihood with τ known, as ldfit fit does.
func fitSpectral(tau float64) func(*data.Recording) (*Network, error) {
	return func(train *data.Recording) (*Network, error) {
		st, err := likelihood.SpectralStats(train, likelihood.StatsOptions{Workers: 2})
		if err != nil {
			return nil, err
		}
		obj, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: []float64{tau}})
		if err != nil {
			return nil, err
		}
		est, err := Fit(obj, FitOptions{})
		if err != nil {
			return nil, err
		}
		g2, d := obj.Natural(est.Theta)
		return &Network{Populations: obj.Pops(), Phi: []models.Phi{models.Tanh{}}, Tau: []float64{tau},
			G2: g2, D: d, Units: train.Units}, nil
	}
}

// Calibration with parameters fitted on the training window (spectral likelihood),
// for the one-step prediction and the forecast, through Evaluate.
func TestEvaluateCalibrationFitted(t *testing.T) {
	rec := calibrationRecording()
	ev, err := Evaluate(rec, fitSpectral(1), EvalOptions{Split: Split{Frac: 0.2}, Lags: 20, Horizon: 10, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("fitted g² %.4f D %.4f", ev.Network.G2[0][0], ev.Network.D[0])
	for _, r := range ev.Rows {
		t.Logf("%-15s %-22s R² %.4f LPD %.4f cover50 %.4f cover90 %.4f", r.Name, r.Detail, r.R2, r.LPD, r.Cover50, r.Cover90)
	}
	calibrated(t, "step, fitted parameters", ev.Rows[0].Scores)
	calibrated(t, "forecast, fitted parameters", ev.Rows[len(ev.Rows)-1].Scores)
	if ev.Rows[0].LPD <= ev.Rows[1].LPD {
		t.Errorf("model LPD %.4f does not beat AR(1) %.4f with fitted parameters", ev.Rows[0].LPD, ev.Rows[1].LPD)
	}
	if ev.Best != "model" && ev.Best != "ridge" {
		t.Errorf("best one-step predictor %q; the model or its ridge twin should win on data from the model", ev.Best)
	}
}

// Held-out units: the fit sees 80% of the units; the other 20% are predicted.
func TestEvaluateHeldOutUnits(t *testing.T) {
	rec := calibrationRecording()
	ev, err := Evaluate(rec, fitSpectral(1), EvalOptions{Split: Split{Units: true, Frac: 0.2, Seed: 3}, Lags: -1, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.Held) != 100 || ev.TrainUnits != 400 {
		t.Fatalf("held %d units, fit on %d; want 100 and 400", len(ev.Held), ev.TrainUnits)
	}
	calibrated(t, "held-out units, fitted parameters", ev.Rows[0].Scores)
}

func TestParseSplit(t *testing.T) {
	for _, s := range []string{"time:0.2", "units:0.5"} {
		sp, err := ParseSplit(s, 1)
		if err != nil || sp.String() != s {
			t.Errorf("ParseSplit(%q) = %v, %v", s, sp, err)
		}
	}
	for _, s := range []string{"time", "time:1", "rows:0.2", "units:x", "time:-0.1"} {
		if _, err := ParseSplit(s, 1); err == nil {
			t.Errorf("ParseSplit(%q): no error", s)
		}
	}
}

func TestPredictMismatchErrors(t *testing.T) {
	rec := arRecording(3, 100, 0, []float64{0.5}, 1, 4)
	other := singleNetwork(1, 1, 1)
	other.Units = []string{"x1", "x2", "x3"}
	if _, err := PredictStep(rec, other, StepOptions{}); err == nil || !strings.Contains(err.Error(), "different recording") {
		t.Errorf("fit from another recording: error %v", err)
	}
	two := &Network{Populations: []string{"E", "I"}, Phi: []models.Phi{models.Tanh{}, models.Tanh{}}, Tau: []float64{1, 1},
		G2: [][]float64{{1, 1}, {1, 1}}, D: []float64{1, 1}}
	if _, err := PredictStep(rec, two, StepOptions{}); err == nil || !strings.Contains(err.Error(), "--populations") {
		t.Errorf("fit with populations on an unlabelled recording: error %v", err)
	}
	if _, err := PredictForecast(rec, two, ForecastOptions{}); err == nil || !strings.Contains(err.Error(), "--populations") {
		t.Errorf("forecast: fit with populations on an unlabelled recording: error %v", err)
	}
}
