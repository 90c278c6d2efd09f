// Package dmft solves the dynamic mean-field theory of random rate networks: the
// stationary autocovariance Δ(s) of
//
//	τ_a dx_i/dt = −x_i + Σ_j J_ij φ_b(x_j) + μ_a + ξ_i,   <ξ_i(t)ξ_i(t')> = 2D_a τ_a δ(t − t'),
//
// with J_ij ~ N(J0_ab/N_b, g_ab²/N_b) for unit i in population a and j in b, in the
// limit N → ∞, in continuous time or for the Euler map with step a that a recording
// on a grid of step a follows. The noise is that of DESIGN.md §4 (<ξξ> = 2Dδ in time
// measured in units of τ), so D is the variance of an uncoupled unit whatever its τ.
//
// Each unit's field is then Gaussian: mean M_a = μ_a + Σ_b J0_ab m_b with
// m_b = E[φ_b(x)], and autocovariance Δ_a solving
//
//	(1 − τ_a² ∂_s²) Δ_a(s) = Σ_b g_ab² C_b(s) + 2D_a τ_a δ(s),
//	C_b(s) = E[φ_b(M_b + u) φ_b(M_b + v)],  Var u = Var v = Δ_b(0), Cov(u, v) = Δ_b(s).
//
// C_b is the raw (not mean-subtracted) output correlation, because the quenched random
// couplings turn the mean activity into a static random input: Δ_a(∞) > 0 when m ≠ 0.
//
// The solver works on a lag grid s_k = k·h, 0 ≤ k < L: an exponentially fitted Numerov
// scheme for the continuous equation (the left side integrated exactly against its
// Green's function, Q interpolated to fourth order, the jump Δ'(0+) = −D/τ imposed at
// s = 0), or the exact three-term recursion of the Euler map; the far end has
// Δ'(s_L) = 0. Damped fixed-point iterations give a starting point, then Newton's
// method with the exact Jacobian (Price's theorem: ∂C/∂Δ = E[φ'φ']) converges
// quadratically; the Jacobian is banded in the lags plus a border for Δ(0) and the
// means, and is solved in O(L). Solutions whose spectrum goes negative are rejected.
// The scheme is fourth order for smooth φ; for Sign and Step with noise C_φφ has a √s
// cusp at s = 0 and the error falls only like h^1.5 (2e-4 in Δ0 at the default h).
//
// For one population with odd φ and J0 = μ = 0 the variance obeys the energy
// condition Δ0² = D² + 2g²(E[Φ(u)²] − E[Φ(u)Φ(v)]) with u, v independent N(0, Δ0):
// the potential V(Δ) = −Δ²/2 + g²E[Φ(u)Φ(v)] (Cov = Δ) of the particle Δ″ = −V'(Δ)
// at Δ = Δ0, where the particle starts with speed D, and at Δ = 0, where it comes to
// rest. So the E[Φ]² of DESIGN.md §5 is the square of the one-point mean E[Φ(u)].
package dmft

import (
	"errors"
	"fmt"
	"math"

	"github.com/ldfit/ldfit/models"
)

// Population is one population of the network.
type Population struct {
	Name string
	Phi  models.Phi
	Tau  float64 // time constant, in the time unit of the lags (0 means 1)
	D    float64 // noise intensity: the variance of an uncoupled unit
	Mu   float64 // constant input μ
}

// Network is a network of populations. G[a][b] is the coupling strength g_ab from b to
// a; J0[a][b] the mean coupling (nil: none).
type Network struct {
	Pops []Population
	G    [][]float64
	J0   [][]float64
}

// Single returns the one-population network with transfer function phi, coupling g
// and noise D (τ = 1, J0 = μ = 0).
func Single(phi models.Phi, g, d float64) Network {
	return Network{Pops: []Population{{Phi: phi, Tau: 1, D: d}}, G: [][]float64{{g}}}
}

// Options set the lag grid and the iteration.
type Options struct {
	// Step is the Euler step a of the discrete-time model, in the time unit; 0 solves
	// the continuous-time model. The lag spacing of the discrete model is Step.
	Step float64
	// Spacing is the lag spacing h of the continuous model (default 0.025·min τ).
	Spacing float64
	// Span is the longest lag (default: chosen so that the tail has decayed to 1e-11,
	// at least 60·max τ and at most 2000·max τ).
	Span float64
	// Tol is the convergence tolerance on the largest residual of the lag equations,
	// as a mismatch of Δ − Σg²C relative to the largest variance, and of the mean
	// equations (default 1e-10).
	Tol float64
	// MaxIter bounds the Newton iterations (default 60).
	MaxIter int
	// InitMean, if not nil, is the starting mean input M_a of each population. The
	// default starts above the symmetric solution so that, beyond the magnetic
	// instability J0·<φ'> = 1, the solver finds the ordered state m ≠ 0.
	InitMean []float64
}

// ErrNegativeSpectrum is returned (wrapped) when the solution's spectrum is negative at
// some frequency, which no covariance can have.
var ErrNegativeSpectrum = errors.New("dmft: solution has a negative spectrum")

func (n Network) validate() error {
	p := len(n.Pops)
	if p == 0 {
		return errors.New("dmft: the network has no population")
	}
	if len(n.G) != p {
		return fmt.Errorf("dmft: G has %d rows for %d populations", len(n.G), p)
	}
	for a, pop := range n.Pops {
		if pop.Phi == nil {
			return fmt.Errorf("dmft: population %d has no transfer function", a)
		}
		if len(n.G[a]) != p || (n.J0 != nil && len(n.J0[a]) != p) {
			return fmt.Errorf("dmft: row %d of G or J0 does not have %d entries", a, p)
		}
		if pop.Tau < 0 || pop.D < 0 || !finite(pop.Tau, pop.D, pop.Mu) {
			return fmt.Errorf("dmft: population %d: τ = %g and D = %g must be finite and nonnegative", a, pop.Tau, pop.D)
		}
		for b := range p {
			if !finite(n.G[a][b]) || (n.J0 != nil && !finite(n.J0[a][b])) {
				return fmt.Errorf("dmft: coupling (%d, %d) is not finite", a, b)
			}
		}
	}
	if len(n.J0) != 0 && len(n.J0) != p {
		return fmt.Errorf("dmft: J0 has %d rows for %d populations", len(n.J0), p)
	}
	return nil
}

func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func (n Network) tau(a int) float64 {
	if t := n.Pops[a].Tau; t > 0 {
		return t
	}
	return 1
}

func (n Network) j0(a, b int) float64 {
	if n.J0 == nil {
		return 0
	}
	return n.J0[a][b]
}
