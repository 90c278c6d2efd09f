package infer_test

import (
	"fmt"
	"log"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// simulated returns a recording of a random tanh network: 100 units, g = 1.5,
// D = 0.5, τ = 1, sampled every 0.2 time units.
func simulated() *data.Recording {
	rec, err := network.Simulate(network.Single(100, 1.5, 0.5, models.Tanh{}),
		network.Options{Dt: 0.2, Steps: 3000, BurnIn: 50, Seed: 1, Workers: 1})
	if err != nil {
		log.Fatal(err)
	}
	return rec
}

// known is the network that made simulated().
func known() *infer.Network {
	return &infer.Network{Populations: []string{"all"}, Phi: []models.Phi{models.Tanh{}}, Tau: []float64{1},
		G2: [][]float64{{1.5 * 1.5}}, D: []float64{0.5}}
}

// One-step predictions of the last 20% of a recording from the population, with the
// posterior of each unit's couplings given the first 80%.
func ExamplePredictStep() {
	rec := simulated()
	p, err := infer.PredictStep(rec, known(), infer.StepOptions{TestFrac: 0.2})
	if err != nil {
		log.Fatal(err)
	}
	s, err := infer.Score(p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d units × %d samples: R² %.2f, 50%% and 90%% intervals cover %.2f and %.2f\n",
		len(p.Units), len(p.Times), s.R2, s.Cover50, s.Cover90)
	// Output:
	// 100 units × 600 samples: R² 0.81, 50% and 90% intervals cover 0.50 and 0.90
}

// Each unit's future from its own past alone: 20 past samples condition forecasts
// 1 … 10 steps ahead, with the autocovariance of the mean-field solution.
func ExamplePredictForecast() {
	rec := simulated()
	net := known()
	p, err := infer.PredictForecast(rec, net, infer.ForecastOptions{TestFrac: 0.2, Lags: 20, Horizon: 10,
		ACov: infer.DMFTACov(net, rec.Step)})
	if err != nil {
		log.Fatal(err)
	}
	s, err := infer.Score(p)
	if err != nil {
		log.Fatal(err)
	}
	n := len(p.Times)
	fmt.Printf("sd 1 step ahead %.3f, 10 steps ahead %.3f\n", p.SD[0], p.SD[9])
	fmt.Printf("%d forecasts: 90%% intervals cover %.2f\n", len(p.Units)*n, s.Cover90)
	// Output:
	// sd 1 step ahead 0.476, 10 steps ahead 1.024
	// 60000 forecasts: 90% intervals cover 0.91
}

// Evaluate fits on the first 80% of the recording and compares the model's
// held-out predictions with baselines.
func ExampleEvaluate() {
	rec := simulated()
	fit := func(train *data.Recording) (*infer.Network, error) {
		st, err := likelihood.SpectralStats(train, likelihood.StatsOptions{Segment: 256})
		if err != nil {
			return nil, err
		}
		res, err := infer.FitSpectral(st, infer.SpectralFit{Errors: infer.ErrorsFisher})
		if err != nil {
			return nil, err
		}
		res.Describe("simulated", train.TimeUnit, train.Units, train.Populations)
		return infer.NetworkFromResult(res)
	}
	ev, err := infer.Evaluate(rec, fit, infer.EvalOptions{Split: infer.Split{Frac: 0.2}, Lags: -1})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range ev.Rows {
		fmt.Printf("%-6s R² %.2f  LPD %.2f\n", r.Name, r.R2, r.LPD)
	}
	fmt.Println("best:", ev.Best)
	// Output:
	// model  R² 0.81  LPD -0.62
	// AR(1)  R² 0.79  LPD -0.67
	// AR(p)  R² 0.79  LPD -0.67
	// ridge  R² 0.81  LPD -0.62
	// best: model
}

// Per-unit autoregressions: fixed order 1, or the order chosen by held-out likelihood.
func ExampleAR() {
	rec := simulated()
	p, orders, err := infer.AR(rec, 0, infer.BaselineOptions{TestFrac: 0.2, MaxOrder: 5})
	if err != nil {
		log.Fatal(err)
	}
	s, err := infer.Score(p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("order of the first unit %d; R² %.2f\n", orders[0], s.R2)
	// Output:
	// order of the first unit 2; R² 0.79
}

// Ridge regression of each unit's next step on φ of the population, the penalty
// chosen by cross-validation: the model's regression without its fitted prior.
func ExampleRidge() {
	rec := simulated()
	p, lambda, err := infer.Ridge(rec, known(), infer.BaselineOptions{TestFrac: 0.2})
	if err != nil {
		log.Fatal(err)
	}
	s, err := infer.Score(p)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("penalty %.0f (the model's noise/prior variance ratio is %.0f); R² %.2f\n", lambda, (2*0.5/0.2)/(1.5*1.5/100), s.R2)
	// Output:
	// penalty 309 (the model's noise/prior variance ratio is 222); R² 0.81
}
