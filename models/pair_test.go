package models

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// covs are (Q1, Q2, C) cases: generic, negative, unequal, near and on the diagonal, zero.
var covs = [][3]float64{
	{1, 1, 0.3}, {2.05, 0.7, -0.8}, {0.3, 4, 0.9}, {1.55, 1.55, 1.55 * (1 - 1e-9)},
	{1.5, 1.5, 1.5}, {2, 0.5, -1}, {0.6, 0.6, 0}, {0, 1.2, 0},
}

// TestPairClosedFormsAgainstQuadrature checks each closed form against the generic
// quadrature of Expect2 (trapezoid rule for erf; closed-form inner, Legendre outer for
// the piecewise-linear functions).
func TestPairClosedFormsAgainstQuadrature(t *testing.T) {
	phis := []Phi{ErfUnitSlope, Erf{B: 1}, ReLU{}, LeakyReLU{Slope: 0.1}, Linear{}, Sign{}, Step{},
		Affine{A: 1.5, B: 2, Phi: Erf{B: 1}}, Affine{A: 0.5, B: 2, C: 1, Phi: Linear{}}}
	for _, phi := range phis {
		for _, k := range covs {
			q1, q2, c := k[0], k[1], k[2]
			got, ok := pairClosed(phi, q1, q2, c)
			if !ok {
				t.Fatalf("%s has no closed form", phi)
			}
			var want Moments2
			if _, pl := kink(phi); pl {
				want, _ = expect2PL(phi, Gauss2{Var1: q1, Var2: q2, Cov: c}, false)
				if q2 > q1 {
					want, _ = expect2PL(phi, Gauss2{Var1: q2, Var2: q1, Cov: c}, false)
					want = want.swap()
				}
			} else {
				want = Expect2(Func{Name: "copy", F: phi.Eval, DF: phi.Deriv}, Gauss2{Var1: q1, Var2: q2, Cov: c})
			}
			close(t, phi, k, "F", got.F, want.F, 1e-9)
			_, sign := jump(phi)
			diag := q1*q2-c*c < 1e-6*q1*q2
			if !(sign && diag) {
				close(t, phi, k, "DC", got.DC, want.DCov, 2e-6)
			}
			if q1 > 0 && q2 > 0 && !(sign && diag) {
				close(t, phi, k, "DQ1", got.DQ1, want.DVar1, 2e-6)
				close(t, phi, k, "DQ2", got.DQ2, want.DVar2, 2e-6)
			}
		}
	}
}

func close(t *testing.T, phi Phi, k [3]float64, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) || math.IsNaN(got) {
		t.Errorf("%s %v: %s = %.12g, want %.12g", phi, k, what, got, want)
	}
}

// TestPairMonteCarlo compares Pair with a seeded Monte Carlo estimate of E[φ(u)φ(v)].
func TestPairMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200000
	for _, phi := range allPhis() {
		for _, k := range covs[:3] {
			q1, q2, c := k[0], k[1], k[2]
			var s, s2 float64
			a, b := math.Sqrt(q1), c/math.Sqrt(q1)
			r := math.Sqrt(q2 - c*c/q1)
			for range n {
				z1, z2 := rng.NormFloat64(), rng.NormFloat64()
				x := phi.Eval(a*z1) * phi.Eval(b*z1+r*z2)
				s += x
				s2 += x * x
			}
			mean := s / n
			se := math.Sqrt((s2/n - mean*mean) / n)
			if got := Pair(phi, q1, q2, c).F; math.Abs(got-mean) > 5*se {
				t.Errorf("%s %v: Pair F = %.6g, Monte Carlo %.6g ± %.2g", phi, k, got, mean, se)
			}
		}
	}
}

// TestPairDerivatives checks DQ1, DQ2 and DC of every φ against finite differences of F.
func TestPairDerivatives(t *testing.T) {
	for _, phi := range allPhis() {
		for _, k := range covs[:3] {
			x := []float64{k[0], k[1], k[2]}
			f := func(x []float64) float64 { return Pair(phi, x[0], x[1], x[2]).F }
			g := make([]float64, 3)
			fd.Gradient(g, f, x, &fd.Settings{Formula: fd.Central, Step: 1e-4})
			m := Pair(phi, k[0], k[1], k[2])
			close(t, phi, k, "DQ1", m.DQ1, g[0], 1e-6)
			close(t, phi, k, "DQ2", m.DQ2, g[1], 1e-6)
			close(t, phi, k, "DC", m.DC, g[2], 1e-6)
		}
	}
}

// TestPairKernelValues reproduces the one-layer kernels of the NNGP literature (erf(x)
// and ReLU) for the Gram matrix G = [[1, .5, .2], [.5, 1, .3], [.2, .3, 1]].
func TestPairKernelValues(t *testing.T) {
	layer := func(phi Phi, sw2, sb2, g11, g12 float64) float64 {
		k11, k12 := sw2*1+sb2, sw2*g12+sb2
		_ = g11
		return sw2*Pair(phi, k11, k11, k12).F + sb2
	}
	erf, _ := ParsePhi("erf:b=1")
	for _, c := range []struct {
		phi      Phi
		sw2, g12 float64
		want     float64
	}{
		{erf, 1.5, 1, 0.8686894142}, {erf, 1.5, 0.5, 0.4328279429}, {erf, 1.5, 0.2, 0.2138394130},
		{ReLU{}, 2, 1, 2.1}, {ReLU{}, 2, 0.5, 1.3151683009},
	} {
		sb2 := 0.05
		if got := layer(c.phi, c.sw2, sb2, 1, c.g12); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s G12 = %g: K¹ = %.10f, want %.10f", c.phi, c.g12, got, c.want)
		}
	}
}

// TestQuadratureLargeVariance checks the smooth rule against an independent reference
// (nested 20-point Gauss–Legendre on fine panels) where Gauss–Hermite would fail.
func TestQuadratureLargeVariance(t *testing.T) {
	for _, q := range []float64{0.01, 1, 5.4463261, 50, 400} {
		for _, rho := range []float64{0.3, 0.99, -0.7} {
			g := Gauss2{Mean1: 0.2, Mean2: -0.1, Var1: q, Var2: 0.8 * q, Cov: rho * q * math.Sqrt(0.8)}
			got := Expect2(Tanh{}, g)
			s1, alpha, beta := rotation(g)
			want := integrate(func(z1 float64) float64 {
				u := g.Mean1 + s1*z1
				inner := integrate(func(z2 float64) float64 {
					return normPDF(z2) * math.Tanh(g.Mean2+alpha*z1+beta*z2)
				}, -zMax, zMax)
				return normPDF(z1) * math.Tanh(u) * inner
			}, -zMax, zMax)
			if math.Abs(got.F-want) > 1e-11 {
				t.Errorf("q = %g, ρ = %g: F = %.15g, reference %.15g", q, rho, got.F, want)
			}
		}
		m := Expect(Tanh{}, Gauss{Mean: 0.3, Var: q})
		want := integrate(func(z float64) float64 { return normPDF(z) * logCosh(0.3+math.Sqrt(q)*z) }, -zMax, zMax)
		if math.Abs(m.Anti-want) > 1e-11*math.Max(1, want) {
			t.Errorf("q = %g: E[Φ] = %.15g, reference %.15g", q, m.Anti, want)
		}
	}
}
