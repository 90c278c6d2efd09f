package infer

import (
	"fmt"
	"math"
	"sync"

	"github.com/ldfit/ldfit/models/dmft"
)

// DMFTACov returns, for ForecastOptions.ACov, the autocovariances that mean-field
// theory (DESIGN.md §5) gives the fitted network: the stationary Δ_a of the Euler map
// at the recording's step (step, in the recording's time unit, as the likelihoods
// read the data), sampled at lags of whole steps. The static part Δ_a(∞), which a
// mean coupling or bias gives each unit as a random offset of its mean, is left out:
// the forecast centres each unit on its own training mean instead. The solution is
// computed once, on first use, for all populations.
//
// Mean-field theory is the limit of many units; a finite network's autocovariance
// differs by O(1/N) and by its realisation, which the spectral autocovariance (the
// default of PredictForecast) measures from the data.
func DMFTACov(net *Network, step float64) func(pop, maxLag int) ([]float64, error) {
	var (
		once sync.Once
		sol  *dmft.Solution
		err  error
	)
	return func(pop, maxLag int) ([]float64, error) {
		once.Do(func() { sol, err = solveDMFT(net, step) })
		if err != nil {
			return nil, err
		}
		ps := &sol.Pops[pop]
		acov := make([]float64, maxLag+1)
		for k := range acov {
			acov[k] = ps.At(float64(k)*step) - ps.DeltaInf
		}
		return acov, nil
	}
}

// solveDMFT solves the mean-field theory of net as an Euler map of step step.
func solveDMFT(net *Network, step float64) (*dmft.Solution, error) {
	if err := net.check(); err != nil {
		return nil, err
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return nil, fmt.Errorf("infer: mean-field autocovariance needs a positive recording step, got %v", step)
	}
	p := len(net.Populations)
	dn := dmft.Network{Pops: make([]dmft.Population, p), G: make([][]float64, p), J0: net.J0}
	for a := range dn.Pops {
		dn.Pops[a] = dmft.Population{Name: net.Populations[a], Phi: net.Phi[a], Tau: net.Tau[a], D: net.D[a]}
		if net.Mu != nil {
			dn.Pops[a].Mu = net.Mu[a]
		}
		dn.G[a] = make([]float64, p)
		for b := range dn.G[a] {
			dn.G[a][b] = math.Sqrt(net.G2[a][b])
		}
	}
	sol, err := dmft.Solve(dn, dmft.Options{Step: step})
	if err != nil {
		return nil, fmt.Errorf("infer: mean-field autocovariance of the fitted network: %w", err)
	}
	return sol, nil
}
