package network

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/dmft"
)

// secondMoment returns the mean of x² over units and samples: the ensemble variance
// Δ0 of the mean-field theory, which includes each unit's quenched temporal mean.
func secondMoment(t *testing.T, m Model, opt Options) float64 {
	t.Helper()
	rec, err := Simulate(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for _, v := range rec.Trials[0].Data {
		s += v * v
	}
	return s / float64(len(rec.Trials[0].Data))
}

// Simulation agrees with the mean-field theory: N = 2000, tanh, g = 1.5, D = 0.5. The
// unit-averaged variance is within 3% of the continuous-time Δ0, and closer still to
// the Δ0 of the Euler map with the simulation's step, which is what the simulation
// integrates exactly in the limit N → ∞.
func TestSimulationMatchesDMFT(t *testing.T) {
	const n, g, d, dt = 2000, 1.5, 0.5, 0.1
	cont, err := dmft.Solve(dmft.Single(models.Tanh{}, g, d), dmft.Options{})
	if err != nil {
		t.Fatal(err)
	}
	disc, err := dmft.Solve(dmft.Single(models.Tanh{}, g, d), dmft.Options{Step: dt})
	if err != nil {
		t.Fatal(err)
	}
	sim := secondMoment(t, Single(n, g, d, models.Tanh{}), Options{Dt: dt, Steps: 1000, RecordEvery: 2, BurnIn: 30, Seed: 1})
	dc, dd := cont.Pops[0].Delta0, disc.Pops[0].Delta0
	t.Logf("simulation Δ0 = %.4f; DMFT continuous %.4f (%+.2f%%), Euler map a = %g %.4f (%+.2f%%)",
		sim, dc, 100*(sim/dc-1), dt, dd, 100*(sim/dd-1))
	if math.Abs(sim/dc-1) > 0.03 {
		t.Errorf("simulation Δ0 = %.4f, continuous DMFT %.4f: more than 3%% apart", sim, dc)
	}
	if math.Abs(sim-dd) >= math.Abs(sim-dc) || math.Abs(sim/dd-1) > 0.01 {
		t.Errorf("simulation Δ0 = %.4f: discrete DMFT %.4f should be closer than continuous %.4f, and within 1%%", sim, dd, dc)
	}
}

// With several time constants, D keeps its meaning as the variance of an uncoupled
// unit; the mean-field theory of the uncoupled populations is the exact reference.
func TestUncoupledVarianceIsD(t *testing.T) {
	const dt = 0.02
	m := Model{
		Pops: []Pop{
			{Name: "fast", N: 200, Tau: 0.5, D: 0.3, Phi: models.Tanh{}},
			{Name: "slow", N: 200, Tau: 2, D: 0.3, Phi: models.Tanh{}},
		},
		G2: [][]float64{{0, 0}, {0, 0}},
	}
	rec, err := Simulate(m, Options{Dt: dt, Steps: 4000, RecordEvery: 5, BurnIn: 10, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	for a, p := range m.Pops {
		var s float64
		tr := rec.Trials[0]
		for i := a * 200; i < (a+1)*200; i++ {
			for _, v := range tr.Unit(i) {
				s += v * v
			}
		}
		s /= 200 * 4000
		want := p.D / (1 - dt/p.Tau/2) // the Euler map's stationary variance
		// 200 units × 400 time units / correlation time τ: relative error ≈ √(2τ/80000).
		if se := want * math.Sqrt(2*p.Tau/80000); math.Abs(s-want) > 5*se {
			t.Errorf("population %s (τ = %v): variance %.4f, want %.4f ± %.4f", p.Name, p.Tau, s, want, se)
		}
	}
}
