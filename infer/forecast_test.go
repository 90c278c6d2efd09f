package infer

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// For the AR(1) autocovariance σ²ρ^k the forecast from any past is ρ^{hs} x[o] with
// variance σ²(1 − ρ^{2hs}).
func TestForecasterAR1ClosedForm(t *testing.T) {
	const rho, lags, spacing, horizon = 0.9, 5, 2, 4
	s2 := 1 / (1 - rho*rho)
	acov := make([]float64, (lags-1+horizon)*spacing+1)
	for k := range acov {
		acov[k] = s2 * math.Pow(rho, float64(k))
	}
	f, err := NewForecaster(acov, lags, spacing, horizon)
	if err != nil {
		t.Fatal(err)
	}
	past := []float64{0.3, -1, 2, 0.5, 1.5, -0.2, 0.7, 0.1, 1.2}
	mean := make([]float64, horizon)
	f.Forecast(mean, past, 0)
	for h := 1; h <= horizon; h++ {
		q := math.Pow(rho, float64(h*spacing))
		if want := q * past[len(past)-1]; math.Abs(mean[h-1]-want) > 1e-12 {
			t.Errorf("h=%d: mean %.15g, want %.15g", h, mean[h-1], want)
		}
		if want := math.Sqrt(s2 * (1 - q*q)); math.Abs(f.SD()[h-1]-want) > 1e-12 {
			t.Errorf("h=%d: sd %.15g, want %.15g", h, f.SD()[h-1], want)
		}
	}
}

// Against the Gaussian conditional computed densely by Cholesky of the joint
// covariance of past and future, for a non-Markov autocovariance and a process mean.
func TestForecasterAgainstDenseConditional(t *testing.T) {
	const lags, spacing, horizon, mu = 6, 3, 3, 0.4
	acov := make([]float64, (lags-1+horizon)*spacing+1)
	for k := range acov {
		x := float64(k) / 4
		acov[k] = math.Exp(-x) * (math.Cos(x) + math.Sin(x))
	}
	f, err := NewForecaster(acov, lags, spacing, horizon)
	if err != nil {
		t.Fatal(err)
	}
	past := make([]float64, (lags-1)*spacing+1)
	for k := range past {
		past[k] = mu + math.Sin(float64(k))
	}
	mean := make([]float64, horizon)
	f.Forecast(mean, past, mu)
	// Times of the conditioning samples and forecast points, relative to the origin.
	cov := func(s, u int) float64 { d := s - u; return acov[max(d, -d)] }
	kk := mat.NewSymDense(lags, nil)
	z := mat.NewVecDense(lags, nil)
	tc := make([]int, lags)
	for m := range tc {
		tc[m] = -(lags - 1 - m) * spacing
		z.SetVec(m, past[len(past)-1+tc[m]]-mu)
	}
	for i := range tc {
		for j := i; j < lags; j++ {
			kk.SetSym(i, j, cov(tc[i], tc[j]))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(kk) {
		t.Fatal("covariance not positive definite")
	}
	for h := 1; h <= horizon; h++ {
		ks := mat.NewVecDense(lags, nil)
		for m := range tc {
			ks.SetVec(m, cov(h*spacing, tc[m]))
		}
		var a mat.VecDense
		if err := ch.SolveVecTo(&a, z); err != nil {
			t.Fatal(err)
		}
		var b mat.VecDense
		if err := ch.SolveVecTo(&b, ks); err != nil {
			t.Fatal(err)
		}
		wantMean := mu + mat.Dot(ks, &a)
		wantSD := math.Sqrt(acov[0] - mat.Dot(ks, &b))
		if math.Abs(mean[h-1]-wantMean) > 1e-10 || math.Abs(f.SD()[h-1]-wantSD) > 1e-10 {
			t.Errorf("h=%d: mean %.12g sd %.12g; dense conditional %.12g, %.12g", h, mean[h-1], f.SD()[h-1], wantMean, wantSD)
		}
	}
}

// Mode 3 on the simulated network with the known parameters, the autocovariance from
// the fitted spectrum of the training window: calibrated.
func TestPredictForecastCalibrationKnown(t *testing.T) {
	rec := calibrationRecording()
	p, err := PredictForecast(rec, singleNetwork(1.5, 0.5, 1), ForecastOptions{TestFrac: 0.2, Lags: 20, Horizon: 10, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	calibrated(t, "forecast, known parameters, spectral autocovariance", s)
}

func TestPredictForecastErrors(t *testing.T) {
	rec := arRecording(2, 200, 0, []float64{0.5}, 1, 3)
	net := &Network{Populations: []string{""}, Phi: singleNetwork(1, 1, 1).Phi, Tau: []float64{1}, G2: [][]float64{{1}}, D: []float64{1}}
	cases := []struct {
		opt  ForecastOptions
		want string
	}{
		{ForecastOptions{TestFrac: 0.2, Lags: 200}, "precede the test window"},
		{ForecastOptions{TestFrac: 0.05, Horizon: 20}, "shorter than one forecast"},
		{ForecastOptions{TestFrac: 0.2, Lags: -1}, "must be positive"},
	}
	for _, c := range cases {
		_, err := PredictForecast(rec, net, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one saying %q", c.opt, err, c.want)
		}
	}
}
