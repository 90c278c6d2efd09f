package likelihood

import (
	"fmt"
	"sync"
)

// Residual stores in dst, and returns, the residual y[k] = (x[k+1] − (1−alpha)x[k])/alpha
// of the series x for k = 0..len(x)−2: the network input plus noise of one Euler step
// (DESIGN.md §4), with alpha = Δ/τ. dst is allocated when it is too short.
func Residual(dst, x []float64, alpha float64) []float64 {
	n := max(len(x)-1, 0)
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	for k := range dst {
		dst[k] = (x[k+1]-x[k])/alpha + x[k]
	}
	return dst
}

var plans sync.Map // int → *fftPlan

// Periodogram returns |X(f)|²/L for f = 0..L/2 of the series x of power-of-two length
// L, X its discrete Fourier transform: the two-sided spectral density per sample, the
// normalisation of Spectra.
func Periodogram(x []float64) ([]float64, error) {
	L := len(x)
	if L < 2 || L&(L-1) != 0 {
		return nil, fmt.Errorf("likelihood: periodogram of %d samples; the length must be a power of two ≥ 2", L)
	}
	p, ok := plans.Load(L)
	if !ok {
		q, _ := newFFTPlan(L)
		p, _ = plans.LoadOrStore(L, q)
	}
	plan := p.(*fftPlan)
	z := make([]complex128, L)
	for k, v := range x {
		z[k] = complex(v, 0)
	}
	plan.transform(z)
	out := make([]float64, L/2+1)
	for f := range out {
		out[f] = (real(z[f])*real(z[f]) + imag(z[f])*imag(z[f])) / float64(L)
	}
	return out, nil
}
