package network

import (
	"fmt"
	"math"

	"github.com/ldfit/ldfit/models"
)

// Pop is one population of units: its size, time constant, noise intensity and
// transfer function.
type Pop struct {
	Name string
	N    int
	Tau  float64 // time constant τ_a, in the recording's time unit
	D    float64 // noise intensity D_a (stationary variance of an uncoupled unit)
	Phi  models.Phi
}

// Model is a random rate network of one or more populations. Units are numbered
// population after population, in the order of Pops.
type Model struct {
	Pops []Pop
	// G2[a][b] is g_ab²: J_ij (i in a, j in b) has variance G2[a][b]/N_b.
	G2 [][]float64
	// J0[a][b] gives the mean J0_ab/N_b of J_ij; nil means zero.
	J0 [][]float64
	// Mu[a] is the bias μ_a of population a; nil means zero.
	Mu []float64
	// Coupling generates J. Nil means iid Gaussian, block-structured by population.
	Coupling Coupling
}

// Single returns the one-population model "all" of n units with coupling strength g,
// noise intensity d, transfer function phi and τ = 1.
func Single(n int, g, d float64, phi models.Phi) Model {
	return Model{
		Pops: []Pop{{Name: "all", N: n, Tau: 1, D: d, Phi: phi}},
		G2:   [][]float64{{g * g}},
	}
}

// N returns the total number of units.
func (m *Model) N() int {
	n := 0
	for _, p := range m.Pops {
		n += p.N
	}
	return n
}

// Offsets returns the index of the first unit of each population, followed by N.
func (m *Model) Offsets() []int {
	off := make([]int, len(m.Pops)+1)
	for a, p := range m.Pops {
		off[a+1] = off[a] + p.N
	}
	return off
}

// j0 returns J0_ab, zero when J0 is nil.
func (m *Model) j0(a, b int) float64 {
	if m.J0 == nil {
		return 0
	}
	return m.J0[a][b]
}

// mu returns μ_a, zero when Mu is nil.
func (m *Model) mu(a int) float64 {
	if m.Mu == nil {
		return 0
	}
	return m.Mu[a]
}

// Validate reports the first inconsistency in m.
func (m *Model) Validate() error {
	P := len(m.Pops)
	if P == 0 {
		return fmt.Errorf("network: model has no population")
	}
	names := map[string]bool{}
	for a, p := range m.Pops {
		switch {
		case p.N < 1:
			return fmt.Errorf("network: population %q has %d units; need at least 1", p.Name, p.N)
		case !(p.Tau > 0) || math.IsInf(p.Tau, 0):
			return fmt.Errorf("network: population %q has time constant τ = %v; need a finite τ > 0", p.Name, p.Tau)
		case !(p.D >= 0) || math.IsInf(p.D, 0):
			return fmt.Errorf("network: population %q has noise intensity D = %v; need a finite D ≥ 0", p.Name, p.D)
		case p.Phi == nil:
			return fmt.Errorf("network: population %q has no transfer function φ", p.Name)
		case names[p.Name]:
			return fmt.Errorf("network: population name %q used twice (population %d)", p.Name, a)
		}
		names[p.Name] = true
	}
	if err := checkSquare("G2", m.G2, P, true); err != nil {
		return err
	}
	if m.J0 != nil {
		if err := checkSquare("J0", m.J0, P, false); err != nil {
			return err
		}
	}
	if m.Mu != nil {
		if len(m.Mu) != P {
			return fmt.Errorf("network: Mu has %d entries for %d populations", len(m.Mu), P)
		}
		for a, v := range m.Mu {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("network: Mu[%d] = %v is not finite", a, v)
			}
		}
	}
	return nil
}

func checkSquare(name string, x [][]float64, P int, nonneg bool) error {
	if len(x) != P {
		return fmt.Errorf("network: %s has %d rows for %d populations; need a %d×%d matrix", name, len(x), P, P, P)
	}
	for a, row := range x {
		if len(row) != P {
			return fmt.Errorf("network: %s row %d has %d entries; need %d", name, a, len(row), P)
		}
		for b, v := range row {
			switch {
			case math.IsNaN(v) || math.IsInf(v, 0):
				return fmt.Errorf("network: %s[%d][%d] = %v; need a finite value", name, a, b, v)
			case nonneg && v < 0:
				return fmt.Errorf("network: %s[%d][%d] = %v; need a value ≥ 0", name, a, b, v)
			}
		}
	}
	return nil
}
