package likelihood_test

import (
	"fmt"
	"log"
	"math"

	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// A recording of a simulated network (g = 1.5, D = 0.5, τ = 1) reduced to its spectral
// statistics, and the poster (NNLS) estimate of g and D, which is also the initial
// point of the Whittle objective that infer.Fit maximises.
func ExampleSpectralStats() {
	rec, err := network.Simulate(network.Single(200, 1.5, 0.5, models.Tanh{}),
		network.Options{Dt: 0.1, Steps: 10000, BurnIn: 20, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	st, err := likelihood.SpectralStats(rec, likelihood.StatsOptions{Segment: 256})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d unit-segments of %d samples\n", int(st.Total.Count[0]), st.Segment)
	fmt.Println("stationary:", st.Stationarity().Stationary)

	obj, err := likelihood.NewSpectral(st, likelihood.SpectralOptions{Tau: []float64{1}})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range obj.Params() {
		fmt.Printf("%s = %.2f\n", p.Name, p.Init)
	}
	fmt.Printf("g = %.2f\n", math.Sqrt(obj.Params()[0].Init))
	// Output:
	// 7800 unit-segments of 256 samples
	// stationary: true
	// g2 = 2.27
	// D = 0.50
	// g = 1.51
}
