package infer_test

import (
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// waiting is the log-likelihood of a rate λ for exponential waiting times: n log λ − λ Σx.
type waiting struct{ n, sum float64 }

func (w waiting) Params() []likelihood.Param {
	return []likelihood.Param{{Name: "rate", Transform: likelihood.Log, Init: 1}}
}

func (w waiting) Eval(theta, grad []float64) float64 {
	rate := math.Exp(theta[0])
	if grad != nil {
		grad[0] = w.n - rate*w.sum
	}
	return w.n*theta[0] - rate*w.sum
}

func ExampleFit() {
	obj := waiting{n: 50, sum: 20} // maximum at λ = n/Σx = 2.5
	est, err := infer.Fit(obj, infer.FitOptions{Restarts: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	lap, err := infer.Laplace(obj, est)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("rate %.4f ± %.4f, 95%% interval [%.3f, %.3f], converged %v\n",
		est.Value[0], lap.SE[0], lap.Lower[0], lap.Upper[0], est.Converged)
	// Output:
	// rate 2.5000 ± 0.3536, 95% interval [1.895, 3.299], converged true
}

func ExampleSample() {
	obj := waiting{n: 50, sum: 20}
	est, err := infer.Fit(obj, infer.FitOptions{})
	if err != nil {
		log.Fatal(err)
	}
	post, err := infer.Sample(obj, est, nil, infer.SampleOptions{Steps: 2000, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	// The posterior of λ (flat prior in log λ) is Gamma(50, 20): median 2.483.
	fmt.Printf("posterior median %.1f, R̂ < 1.05: %v\n", post.Quantile(0, 0.5), post.RHat[0] < 1.05)
	// Output:
	// posterior median 2.5, R̂ < 1.05: true
}

func ExampleFitSpectral() {
	m := network.Single(200, 1.5, 0.5, models.Tanh{})
	rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: 4096, BurnIn: 20, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	st, err := likelihood.SpectralStats(rec, likelihood.StatsOptions{Segment: 256, Blocks: 16})
	if err != nil {
		log.Fatal(err)
	}
	res, err := infer.FitSpectral(st, infer.SpectralFit{Tau: []float64{1}})
	if err != nil {
		log.Fatal(err)
	}
	g, _ := res.Param("g")
	fmt.Printf("g = %.2f, interval holds 1.5: %v\n", g.Estimate, g.Lower < 1.5 && 1.5 < g.Upper)
	// Output:
	// g = 1.50, interval holds 1.5: true
}

func ExampleReadResult() {
	dir, err := os.MkdirTemp("", "ldfit")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fit.parquet")
	res := &infer.Result{
		Method: "spectral", Step: 0.1, PopNames: []string{"all"}, Phi: []string{"tanh"}, Tau: []float64{1},
		Params: []infer.ParamEstimate{{Name: "g2", Estimate: 2.25}, {Name: "D", Estimate: 0.5}},
	}
	if err := infer.WriteResult(path, res, data.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	back, err := infer.ReadResult(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(back.Method, back.Phi, back.Tau, back.G2(), back.D())
	// Output:
	// spectral [tanh] [1] [[2.25]] [0.5]
}

func ExampleFitExact() {
	m := network.Single(100, 1.6, 0.2, models.Tanh{})
	rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: 2000, BurnIn: 20, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	obj, err := likelihood.NewExact(rec, likelihood.ExactOptions{})
	if err != nil {
		log.Fatal(err)
	}
	res, err := infer.FitExact(obj, infer.ExactFit{})
	if err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"tau", "g", "D"} {
		p, _ := res.Param(name)
		fmt.Printf("%s = %.1f\n", name, p.Estimate)
	}
	// Output:
	// tau = 1.0
	// g = 1.6
	// D = 0.2
}
