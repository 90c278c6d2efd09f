package likelihood_test

import (
	"fmt"
	"log"

	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
	"gonum.org/v1/gonum/optimize"
)

// The exact likelihood of a fully observed network identifies τ as well as g and D.
// Here it is maximised directly with gonum's L-BFGS; ldfit does this in infer.Fit,
// with restarts and convergence checks. (The log-likelihood is about −5·10⁴ here, so a
// gradient of 10⁻² is zero to working precision.)
func ExampleNewExact() {
	rec, err := network.Simulate(network.Single(100, 1.6, 0.2, models.Tanh{}),
		network.Options{Dt: 0.1, Steps: 3000, BurnIn: 20, Seed: 2})
	if err != nil {
		log.Fatal(err)
	}
	obj, err := likelihood.NewExact(rec, likelihood.ExactOptions{})
	if err != nil {
		log.Fatal(err)
	}
	var theta []float64
	for _, p := range obj.Params() {
		theta = append(theta, p.Theta(p.Init))
	}
	res, err := optimize.Minimize(optimize.Problem{
		Func: func(x []float64) float64 { return -obj.Eval(x, nil) },
		Grad: func(g, x []float64) {
			obj.Eval(x, g)
			for k := range g {
				g[k] = -g[k]
			}
		},
	}, theta, &optimize.Settings{GradientThreshold: 1e-2}, &optimize.LBFGS{})
	if err != nil {
		log.Fatal(err)
	}
	for k, p := range obj.Params()[:3] {
		fmt.Printf("%s = %.2f\n", p.Name, p.Natural(res.X[k]))
	}
	// Output:
	// tau = 1.03
	// g = 1.61
	// D = 0.21
}
