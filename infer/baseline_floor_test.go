package infer

import (
	"math"
	"slices"
	"testing"
)

// A unit that is constant through the training window and moves in the test window
// (a neuron that starts firing) once gave AR a noise variance of 1e-300 and an LPD of
// −1e301. Every predictor now gives it at least the median variance of the other
// units, lists it, and the scores stay finite and of the order of the other units'.
func TestConstantUnitFloor(t *testing.T) {
	const units, steps = 6, 1000
	rec := arRecording(units, steps, 0, []float64{0.6}, 1, 11)
	x := rec.Trials[0].Unit(2)
	for k := range x {
		x[k] = 0
		if k >= 800 && k%7 == 0 {
			x[k] = 1 // fires only in the test window
		}
	}
	bo := BaselineOptions{TestFrac: 0.2, Workers: 2}
	ar1, _, err := AR(rec, 1, bo)
	if err != nil {
		t.Fatal(err)
	}
	arp, orders, err := AR(rec, 0, bo)
	if err != nil {
		t.Fatal(err)
	}
	net := singleNetwork(0.5, 0.5, 1)
	ridge, _, err := Ridge(rec, net, bo)
	if err != nil {
		t.Fatal(err)
	}
	step, err := PredictStep(rec, net, StepOptions{TestFrac: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	fc, err := PredictForecast(rec, net, ForecastOptions{TestFrac: 0.2, Lags: 5, Horizon: 3})
	if err != nil {
		t.Fatal(err)
	}
	if orders[2] != 1 {
		t.Errorf("AR(p) order of the constant unit %d; every order fits it exactly and the lowest should be chosen", orders[2])
	}
	// The stationary variance of the AR(1) units is 1/(1 − 0.36) = 1.5625.
	for name, p := range map[string]*Prediction{"AR(1)": ar1, "AR(p)": arp, "ridge": ridge, "model": step, "forecast": fc} {
		if !slices.Equal(p.Constant, []string{"ar2"}) {
			t.Errorf("%s: constant units %q, want [ar2]", name, p.Constant)
		}
		sd := p.unitSlice(p.SD, 2)
		if v := sd[0] * sd[0]; v < 1 || v > 2.5 {
			t.Errorf("%s: predictive variance of the constant unit %.4g, want the median training variance ≈ 1.56", name, v)
		}
		s, err := Score(p)
		if err != nil {
			t.Fatal(err)
		}
		if !(s.LPD > -3) || math.IsInf(s.LPD, 0) {
			t.Errorf("%s: LPD %.4g with one unit constant in training; want finite and > −3", name, s.LPD)
		}
	}
}

// A predictor that fits its training data exactly claims no noise; its variance is
// floored at relNoiseFloor of the unit's training variance, not at 1e-300.
func TestARExactFitFloor(t *testing.T) {
	rec := arRecording(2, 400, 0, []float64{0.6}, 1, 12)
	x := rec.Trials[0].Unit(1)
	x[0] = 5
	for k := 1; k < len(x); k++ {
		x[k] = 0.5*x[k-1] + 1 // deterministic: AR(1) fits it exactly
	}
	p, _, err := AR(rec, 1, BaselineOptions{TestFrac: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := trainScales(rec, []window{{0, 0, 320}})
	if err != nil {
		t.Fatal(err)
	}
	sd := p.unitSlice(p.SD, 1)[0]
	if want := math.Sqrt(relNoiseFloor * sc.v[1]); !(sd >= want*(1-1e-9)) {
		t.Errorf("sd of an exactly fitted unit %.4g, want at least √(%g·%.4g) = %.4g", sd, relNoiseFloor, sc.v[1], want)
	}
}

// A unit active only at the very start of the training window (a neuron that fired
// once, then fell silent until the test window) is not constant there, but every
// sample an AR fit regresses on is 0: the fit is exact and its noise variance 0, which
// says nothing about the unit's scale. It is treated like a constant unit.
func TestARSilentAfterStart(t *testing.T) {
	rec := arRecording(6, 1000, 0, []float64{0.6}, 1, 13)
	x := rec.Trials[0].Unit(4)
	for k := range x {
		x[k] = 0
		if k == 0 || (k >= 800 && k%5 == 0) {
			x[k] = 1
		}
	}
	p, _, err := AR(rec, 1, BaselineOptions{TestFrac: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Constant, []string{"ar4"}) {
		t.Errorf("units without a variability estimate %q, want [ar4]", p.Constant)
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	if !(s.LPD > -3) {
		t.Errorf("LPD %.4g; the silent unit's firing in the test window should not dominate it", s.LPD)
	}
}
