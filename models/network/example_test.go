package network_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// A single population of 200 tanh units at g = 1.5 with noise D = 0.5, recorded every
// Euler step of 0.05 for 1000 samples after a burn-in of 20 time units.
func ExampleSimulate() {
	m := network.Single(200, 1.5, 0.5, models.Tanh{})
	rec, err := network.Simulate(m, network.Options{Dt: 0.05, Steps: 1000, BurnIn: 20, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	truth, _ := network.ReadTruth(rec.Meta)
	fmt.Println(rec.N(), "units,", rec.Samples(), "samples, step", rec.Step)
	fmt.Println("first unit:", rec.Units[0], "g² =", truth.G2[0][0], "D =", truth.Populations[0].D)
	// Output:
	// 200 units, 1000 samples, step 0.05
	// first unit: u0000 g² = 2.25 D = 0.5
}

// Two populations with their own time constants and transfer functions, sparse
// couplings and inhibition from the second population.
func ExampleModel() {
	m := network.Model{
		Pops: []network.Pop{
			{Name: "E", N: 80, Tau: 1, D: 0.2, Phi: models.Tanh{}},
			{Name: "I", N: 20, Tau: 0.5, D: 0.1, Phi: models.ReLU{}},
		},
		G2:       [][]float64{{1, 2}, {1, 0.5}},
		J0:       [][]float64{{0, -2}, {1, -1}},
		Coupling: network.Sparse{P: 0.2},
	}
	rec, err := network.Simulate(m, network.Options{Dt: 0.05, Steps: 100, Seed: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rec.Populations[0], rec.Populations[99])
	// Output:
	// E I
}

// The random-mode coupling with an exponential spectrum tuned to a mode participation
// ratio PR_D = 50 among P = αN = 250 modes.
func ExampleRandomMode() {
	m := network.Single(500, 1.5, 0.5, models.Tanh{})
	m.Coupling = network.RandomMode{Alpha: 0.5, Rho: 0.2, Spectrum: network.Exponential, PR: 50}
	rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: 10, Seed: 3})
	if err != nil {
		log.Fatal(err)
	}
	truth, _ := network.ReadTruth(rec.Meta)
	fmt.Printf("P = %.0f, PR_D = %.1f, g = %.2f\n", truth.Realised["P"], truth.Realised["PR_D"], truth.Realised["g"])
	// Output:
	// P = 250, PR_D = 50.0, g = 1.50
}

// SimulateTo streams a long simulation to a file without holding it in memory.
func ExampleSimulateTo() {
	dir, _ := os.MkdirTemp("", "ldfit")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "sim.parquet")
	m := network.Single(100, 1.5, 0.5, models.Tanh{})
	if _, err := network.SimulateTo(path, m, network.Options{Dt: 0.05, Steps: 5000, Seed: 4}, data.WriteOptions{}); err != nil {
		log.Fatal(err)
	}
	rec, err := data.ReadRecording(path, data.ReadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	truth, _ := network.ReadTruth(rec.Meta)
	fmt.Println(rec.N(), rec.Samples(), truth.Coupling)
	// Output:
	// 100 5000 iid
}

// The participation ratio of x and φ(x) of a simulated network, with the bias-free
// cross-block estimate and its jackknife error.
func ExampleParticipation() {
	m := network.Single(100, 2, 0, models.Tanh{})
	rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: 2000, RecordEvery: 5, BurnIn: 50, Seed: 5})
	if err != nil {
		log.Fatal(err)
	}
	d, err := network.Participation(rec, network.DimOptions{Blocks: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Naive < d.Cross, d.CrossSE > 0, d.Blocks)
	// Output:
	// true true 10
}
