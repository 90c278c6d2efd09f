package dmft_test

import (
	"fmt"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/dmft"
)

func ExampleSolve() {
	// The chaotic state of a noise-free tanh network with g = 2.
	sol, err := dmft.Solve(dmft.Single(models.Tanh{}, 2, 0), dmft.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := sol.Pops[0]
	fmt.Printf("Δ0 = %.7f, <φ'> = %.7f, λ = %.5f\n", p.Delta0, p.Slope, sol.Lambda)
	fmt.Printf("Δ(5) = %.6f\n", p.At(5))
	// Output:
	// Δ0 = 1.9248054, <φ'> = 0.4868219, λ = 0.22807
	// Δ(5) = 1.034578
}

func ExampleSolve_euler() {
	// The Euler map with step 0.05, which a recording sampled at that step follows.
	sol, err := dmft.Solve(dmft.Single(models.Tanh{}, 1.5, 0.5), dmft.Options{Step: 0.05})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Δ0 = %.5f at lags of %g\n", sol.Pops[0].Delta0, sol.Lags[1])
	// Output:
	// Δ0 = 1.13136 at lags of 0.05
}
