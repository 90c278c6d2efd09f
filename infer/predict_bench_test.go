package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// benchRecording is n units of independent AR(1) noise: prediction cost does not
// depend on the values.
func benchRecording(n, steps int) *data.Recording {
	rng := rand.New(rand.NewPCG(1, 2))
	rec := &data.Recording{Step: 0.1, Units: make([]string, n)}
	tr := data.Trial{Len: steps, Data: make([]float64, n*steps)}
	for i := 0; i < n; i++ {
		rec.Units[i] = fmt.Sprint(i)
		x := tr.Unit(i)
		for k := 1; k < steps; k++ {
			x[k] = 0.9*x[k-1] + math.Sqrt(0.19)*rng.NormFloat64()
		}
	}
	rec.Trials = []data.Trial{tr}
	return rec
}

// Mode 1 for 1000 units × 20,000 test samples (after 5,000 training samples).
func BenchmarkPredictStep1000x20000(b *testing.B) {
	rec := benchRecording(1000, 25000)
	net := singleNetwork(1.5, 0.5, 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := PredictStep(rec, net, StepOptions{TestFrac: 0.8, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000*20000/b.Elapsed().Seconds(), "predictions/s")
}

// A 1000-step forecast conditioned on L = 500 samples, for 1000 units.
func BenchmarkForecast1000Units(b *testing.B) {
	const lags, horizon, units = 500, 1000, 1000
	acov := make([]float64, lags+horizon)
	for k := range acov {
		acov[k] = math.Exp(-float64(k) / 30)
	}
	past := benchRecording(units, lags)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := NewForecaster(acov, lags, 1, horizon)
		if err != nil {
			b.Fatal(err)
		}
		parallelFor(units, 2, func(u int) {
			m := make([]float64, horizon)
			f.Forecast(m, past.Trials[0].Unit(u), 0)
		})
	}
}
