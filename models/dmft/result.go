package dmft

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"
)

func (s *solver) solution(iter int, res float64) *Solution {
	sol := &Solution{Network: s.net, Step: s.opt.Step, Lags: make([]float64, s.L),
		Pops: make([]PopState, s.P), Iterations: iter, Residual: res}
	for k := range sol.Lags {
		sol.Lags[k] = float64(k) * s.h
	}
	sol.Lambda = s.tailRate()
	for a := range s.P {
		p := &sol.Pops[a]
		p.Delta = append([]float64(nil), s.d[a]...)
		p.C = append([]float64(nil), s.c[a]...)
		p.CDeriv = append([]float64(nil), s.cD[a]...)
		p.Delta0, p.DeltaInf = s.d[a][0], s.d[a][s.L-1]
		p.Mean, p.Rate, p.Slope = s.mean[a], s.m1[a].Phi, s.m1[a].DPhi
		p.Magnetic = s.net.j0(a, a) * p.Slope
		p.h, p.lambda, p.cD0 = s.h, sol.Lambda, s.cD[a][0]
		p.CorrTime = s.corrTime(a, sol.Lambda)
	}
	return sol
}

// tailRate is the slowest decay rate of the linearised tail: δΔ_a″ = Σ_b A_ab δΔ_b,
// A = T⁻²(I − G²·diag(E[φ'φ'] at Δ(∞))), λ² the smallest eigenvalue (continuous time);
// for one population of the Euler map the root r of b·r² − (1 + b² − α²g²K)·r + b = 0
// gives λ = −ln r / a.
func (s *solver) tailRate() float64 {
	P, last := s.P, s.L-1
	if s.opt.Step > 0 && P == 1 {
		alpha := s.opt.Step / s.net.tau(0)
		b := 1 - alpha
		x := (1 + b*b - alpha*alpha*s.g2(0, 0)*s.cD[0][last]) / b
		if x <= 2 {
			return 0
		}
		r := (x - math.Sqrt(x*x-4)) / 2
		return -math.Log(r) / s.opt.Step
	}
	A := mat.NewDense(P, P, nil)
	for a := range P {
		t2 := s.net.tau(a) * s.net.tau(a)
		for b := range P {
			v := -s.g2(a, b) * s.cD[b][last]
			if a == b {
				v++
			}
			A.Set(a, b, v/t2)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(A, mat.EigenNone) {
		return 0
	}
	lo := math.Inf(1)
	for _, v := range eig.Values(nil) {
		lo = math.Min(lo, real(v))
	}
	return math.Sqrt(math.Max(lo, 0))
}

// corrTime integrates Δ − Δ(∞) by the trapezoid rule with its Euler–Maclaurin end
// correction (Δ'(0+) = −D/τ in continuous time) and the exponential tail.
func (s *solver) corrTime(a int, lambda float64) float64 {
	d := s.d[a]
	inf := d[s.L-1]
	var sum float64
	for k, v := range d {
		w := 1.0
		if k == 0 || k == s.L-1 {
			w = 0.5
		}
		sum += w * (v - inf)
	}
	sum *= s.h
	if s.opt.Step == 0 {
		tau := s.net.tau(a)
		sum -= s.h * s.h / 12 * s.net.Pops[a].D / tau
	}
	den := d[0] - inf
	if den <= 0 {
		return 0
	}
	return sum / den
}

// Spectra returns the power spectra S_x(f) and S_φ(f) of population a at the
// frequencies f_j = j/(2(L−1)h), j = 0..L−1 (cycles per time unit), without the static
// parts Δ(∞), C(∞) (a delta at f = 0).
//
// In continuous time S(f) = 2∫₀^∞ (Δ(s) − Δ(∞)) cos(2πfs) ds, by the trapezoid rule with
// the Euler–Maclaurin correction for the kink at s = 0, so that
// (1 + (2πfτ)²)·S_x = Σ_b g_ab² S_φ,b + 2Dτ up to O(h⁴). For the Euler map with step a,
// S(f) = a·Σ_n (Δ[n] − Δ(∞)) e^{−2πifan}, and with α = a/τ
//
//	|e^{2πifa} − (1 − α)|²·S_x(f) = α²·(Σ_b g_ab² S_φ,b(f) + 2Dτ)
//
// holds exactly on the grid.
func (sol *Solution) Spectra(a int) (f, sx, sphi []float64) {
	p := &sol.Pops[a]
	L := len(p.Delta)
	h := p.h
	f = make([]float64, L)
	for j := range f {
		f[j] = float64(j) / (2 * float64(L-1) * h)
	}
	dct := fourier.NewDCT(L)
	// tr is 2∫₀^∞ (y − y(∞)) cos: h·DCT-I plus, in continuous time, the Euler–Maclaurin
	// term −2·(h²/12)·(g'(∞) − g'(0)) with g'(0) = y'(0+).
	tr := func(y []float64, inf, slope0 float64) []float64 {
		x := make([]float64, L)
		for k, v := range y {
			x[k] = v - inf
		}
		out := dct.Transform(nil, x)
		for j := range out {
			out[j] *= h
			if sol.Step == 0 {
				out[j] += h * h / 6 * slope0
			}
		}
		return out
	}
	tau := sol.Network.tau(a)
	dslope := -sol.Network.Pops[a].D / tau // Δ'(0+)
	sx = tr(p.Delta, p.DeltaInf, dslope)
	sphi = tr(p.C, p.C[L-1], p.cD0*dslope) // C'(0+) = (∂C/∂Δ)·Δ'(0+)
	return f, sx, sphi
}

// checkSpectrum rejects a solution whose spectrum is negative beyond rounding: the
// sums over L lags carry errors of about L·ε·Δ0·h.
func (sol *Solution) checkSpectrum() error {
	for a := range sol.Pops {
		_, sx, sphi := sol.Spectra(a)
		p := &sol.Pops[a]
		span := float64(len(p.Delta)) * p.h
		top := 1e-4*math.Abs(p.Delta0)*span + 1e-8
		for _, v := range sx {
			top = math.Max(top, v)
		}
		for j, v := range sx {
			if v < -1e-8*top {
				return fmt.Errorf("%w: S_x(f_%d) = %.3g for population %d", ErrNegativeSpectrum, j, v, a)
			}
		}
		topPhi := 1e-4*math.Abs(p.C[0])*span + 1e-8
		for _, v := range sphi {
			topPhi = math.Max(topPhi, v)
		}
		for j, v := range sphi {
			if v < -1e-8*topPhi {
				return fmt.Errorf("%w: S_φ(f_%d) = %.3g for population %d", ErrNegativeSpectrum, j, v, a)
			}
		}
	}
	return nil
}
