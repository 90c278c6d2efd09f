package infer

import (
	"math"
	"testing"
)

// The poster example (arXiv:2009.08889): tanh, g = 1.5, D = 0, conditioning on 21
// samples 5 time units apart and forecasting 10 points ahead. Far ahead the forecast
// forgets the past: its sd is √Δ0 of the mean-field solution (≈ 0.865 in continuous
// time) and its mean relaxes to the process mean 0.
func TestForecastPosterExample(t *testing.T) {
	const step, lags, horizon = 0.05, 21, 10
	spacing := int(math.Round(5 / step))
	net := singleNetwork(1.5, 0, 1)
	acovOf := DMFTACov(net, step)
	acov, err := acovOf(0, (lags-1+horizon)*spacing)
	if err != nil {
		t.Fatal(err)
	}
	sol, err := solveDMFT(net, step)
	if err != nil {
		t.Fatal(err)
	}
	delta0 := sol.Pops[0].Delta0
	if math.Abs(acov[0]-delta0) > 1e-9 {
		t.Errorf("autocovariance at lag 0 %.12g, Δ0 %.12g", acov[0], delta0)
	}
	f, err := NewForecaster(acov, lags, spacing, horizon)
	if err != nil {
		t.Fatal(err)
	}
	// A past that is far from the mean at the origin.
	past := make([]float64, (lags-1)*spacing+1)
	for k := range past {
		past[k] = 1.2 * math.Cos(float64(k)*step/3)
	}
	past[len(past)-1] = 1.5
	mean := make([]float64, horizon)
	f.Forecast(mean, past, 0)
	sd := f.SD()
	t.Logf("Δ0 %.6f (√ %.6f); sd by horizon %.4f; mean %.4f", delta0, math.Sqrt(delta0), sd, mean)
	if got := sd[horizon-1]; math.Abs(got-math.Sqrt(delta0)) > 1e-4 {
		t.Errorf("far-horizon sd %.6f, want √Δ0 = %.6f", got, math.Sqrt(delta0))
	}
	// The Euler map at step 0.05 is within O(step) of the continuous-time 0.865.
	if got := sd[horizon-1]; math.Abs(got-0.865) > 0.01 {
		t.Errorf("far-horizon sd %.4f, want ≈ 0.865 (continuous-time √Δ0)", got)
	}
	if math.Abs(mean[horizon-1]) > 2e-3 {
		t.Errorf("far-horizon mean %.5f; it should relax to 0", mean[horizon-1])
	}
	for h := 1; h < horizon; h++ {
		if sd[h] < sd[h-1]-1e-9 {
			t.Errorf("sd falls from %.6f to %.6f at horizon %d; a forecast only loses information", sd[h-1], sd[h], h+1)
		}
	}
	if !(mean[0] > 0.1) {
		t.Errorf("first forecast 5 time units after x = 1.5 is %.4f; it should remember the past (correlation time ≈ 6)", mean[0])
	}
}

// PredictForecast with the mean-field autocovariance on a simulated network of the
// poster's parameters: each unit's far-horizon forecast is its training mean with sd
// √Δ0, and the 90% intervals cover about 90% of the held-out samples.
func TestPredictForecastDMFT(t *testing.T) {
	const step, n = 0.05, 300
	spacing := int(math.Round(5 / step))
	rec := predSimulate(n, 1.5, 0, step, 4000, 7)
	net := singleNetwork(1.5, 0, 1)
	p, err := PredictForecast(rec, net, ForecastOptions{TestFrac: 0.25, Lags: 21, Spacing: spacing, Horizon: 10,
		ACov: DMFTACov(net, step), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("forecast with the DMFT autocovariance: R² %.4f LPD %.4f cover50 %.4f cover90 %.4f z var %.4f (%d samples)",
		s.R2, s.LPD, s.Cover50, s.Cover90, s.ZVar, s.Samples)
	if math.Abs(s.Cover90-0.9) > 0.06 || math.Abs(s.Cover50-0.5) > 0.08 {
		t.Errorf("coverage of the 50%% and 90%% intervals %.3f, %.3f; want near nominal", s.Cover50, s.Cover90)
	}
	sol, _ := solveDMFT(net, step)
	last := len(p.Times) - 1
	for r := range p.Units {
		if sd := p.unitSlice(p.SD, r)[last]; math.Abs(sd-math.Sqrt(sol.Pops[0].Delta0)) > 1e-4 {
			t.Fatalf("unit %s: far-horizon sd %.6f, want √Δ0 %.6f", p.Units[r], sd, math.Sqrt(sol.Pops[0].Delta0))
		}
	}
	mu := trainMean(rec, 0, []window{{0, 0, 3000}})
	if m := p.unitSlice(p.Mean, 0)[last]; math.Abs(m-mu) > 5e-3 {
		t.Errorf("far-horizon mean %.5f of unit 0, want its training mean %.5f", m, mu)
	}
}
