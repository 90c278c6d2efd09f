package dmft

import (
	"errors"
	"fmt"
	"math"

	"github.com/ldfit/ldfit/models"
)

// Lyapunov returns the largest Lyapunov exponent κ of the mean-field dynamics of a
// one-population continuous-time solution: two copies of the network driven by the
// same noise separate as e^{κt}. Linearising, their distance has the autocorrelation
// e^{κ(t+s)}ψ(t−s) with, in units of τ,
//
//	−ψ''(s) − g²C_φ'φ'(s)ψ(s) = E₀ψ(s),   κ = √(−E₀) − 1,
//
// C_φ'φ'(s) = E[φ'(x(t))φ'(x(t+s))], E₀ the ground-state energy of this Schrödinger
// operator on the lag grid (second-order differences, Neumann ends, found by
// Sturm-sequence bisection). The network is chaotic when κ > 0.
func (sol *Solution) Lyapunov() (float64, error) {
	if len(sol.Pops) != 1 || sol.Step != 0 {
		return 0, errors.New("dmft: the Lyapunov exponent is implemented for one population in continuous time")
	}
	p := &sol.Pops[0]
	g, tau := sol.Network.G[0][0], sol.Network.tau(0)
	n, h := len(p.CDeriv), p.h/tau // lags in units of τ
	d := make([]float64, n)
	e := make([]float64, n-1) // symmetrised: Neumann rows scaled by √2
	lo, hi := math.Inf(1), math.Inf(-1)
	for k := range n {
		d[k] = 2/(h*h) - g*g*p.CDeriv[k]
		lo, hi = math.Min(lo, d[k]), math.Max(hi, d[k])
	}
	for k := range e {
		e[k] = -1 / (h * h)
	}
	e[0], e[n-2] = -math.Sqrt2/(h*h), -math.Sqrt2/(h*h)
	lo -= 4 / (h * h) // Gershgorin bounds
	hi += 4 / (h * h)
	for range 200 {
		mid := (lo + hi) / 2
		if below(d, e, mid) > 0 {
			hi = mid
		} else {
			lo = mid
		}
		if hi-lo < 1e-13*math.Max(1, math.Abs(mid)) {
			break
		}
	}
	e0 := (lo + hi) / 2
	if e0 >= 0 {
		return -1 / tau, nil // no growing direction: the distance relaxes at the leak rate
	}
	return (math.Sqrt(-e0) - 1) / tau, nil
}

// below counts the eigenvalues of the symmetric tridiagonal (d, e) below x (Sturm).
func below(d, e []float64, x float64) int {
	count := 0
	q := d[0] - x
	if q < 0 {
		count++
	}
	for k := 1; k < len(d); k++ {
		if q == 0 {
			q = 1e-300
		}
		q = d[k] - x - e[k-1]*e[k-1]/q
		if q < 0 {
			count++
		}
	}
	return count
}

// ChaosEdge returns the coupling g at which the one-population network with transfer
// function phi and noise D becomes chaotic (Lyapunov exponent zero), to a relative
// accuracy of 1e-5 in g, by bisection over DMFT solutions. The noise moves the edge
// above the g·φ'(0) = 1 of the noise-free network, as the noise-driven variance
// lowers <φ'>.
func ChaosEdge(phi models.Phi, d float64, opt Options) (float64, error) {
	kappa := func(g float64) (float64, error) {
		sol, err := Solve(Single(phi, g, d), opt)
		if err != nil {
			return 0, fmt.Errorf("dmft: chaos edge at g = %g: %w", g, err)
		}
		return sol.Lyapunov()
	}
	lo, hi := 0.0, 1.0
	for {
		k, err := kappa(hi)
		if err != nil {
			return 0, err
		}
		if k > 0 {
			break
		}
		lo, hi = hi, 2*hi
		if hi > 1e3 {
			return 0, fmt.Errorf("dmft: no transition to chaos below g = %g for %s with D = %g", hi, phi, d)
		}
	}
	for hi-lo > 1e-5*hi {
		mid := (lo + hi) / 2
		k, err := kappa(mid)
		if err != nil {
			return 0, err
		}
		if k > 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	return (lo + hi) / 2, nil
}
