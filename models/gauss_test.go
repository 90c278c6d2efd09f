package models

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/integrate/quad"
)

// TestExpectAgainstGonum checks the one-point moments against gonum's adaptive-free
// high-order Legendre rule on x directly (a different variable and rule), and ReLU
// against its closed form m·Φ(m/σ) + σ·n(m/σ).
func TestExpectAgainstGonum(t *testing.T) {
	for _, phi := range allPhis() {
		for _, g := range []Gauss{{0, 1}, {0.4, 0.09}, {-0.7, 5.4463261}, {1.2, 400}} {
			sd := math.Sqrt(g.Var)
			ref := func(f func(float64) float64) float64 {
				h := func(x float64) float64 { z := (x - g.Mean) / sd; return f(x) * normPDF(z) / sd }
				lo, hi := g.Mean-zMax*sd, g.Mean+zMax*sd
				var s float64
				pts := []float64{lo, hi}
				if k, ok := kink(phi); ok && k > lo && k < hi {
					pts = []float64{lo, k, hi}
				}
				for i := 0; i+1 < len(pts); i++ {
					n := 200
					w := (pts[i+1] - pts[i]) / float64(n)
					for j := range n {
						a := pts[i] + float64(j)*w
						s += quad.Fixed(h, a, a+w, 12, quad.Legendre{}, 0)
					}
				}
				return s
			}
			m := Expect(phi, g)
			want := map[string][2]float64{
				"E[φ]":  {m.Phi, ref(phi.Eval)},
				"E[φ²]": {m.Phi2, ref(func(x float64) float64 { f := phi.Eval(x); return f * f })},
				"E[Φ]":  {m.Anti, ref(phi.Antideriv)},
				"E[Φ²]": {m.Anti2, ref(func(x float64) float64 { a := phi.Antideriv(x); return a * a })},
			}
			for name, v := range want {
				if math.Abs(v[0]-v[1]) > 1e-10*math.Max(1, math.Abs(v[1])) {
					t.Errorf("%s %v: %s = %.14g, reference %.14g", phi, g, name, v[0], v[1])
				}
			}
			// Derivatives in the mean and variance against finite differences of E[φ].
			f := func(x []float64) float64 { return Expect(phi, Gauss{x[0], x[1]}).Phi }
			d := make([]float64, 2)
			fd.Gradient(d, f, []float64{g.Mean, g.Var}, &fd.Settings{Formula: fd.Central, Step: 1e-4 * math.Max(1, sd)})
			if math.Abs(m.DPhi-d[0]) > 1e-6*math.Max(1, math.Abs(d[0])) || math.Abs(m.DVar-d[1]) > 1e-6*math.Max(1, math.Abs(d[1])) {
				t.Errorf("%s %v: (E[φ'], ∂/∂Var) = (%g, %g), finite differences (%g, %g)", phi, g, m.DPhi, m.DVar, d[0], d[1])
			}
		}
	}
	relu := Expect(ReLU{}, Gauss{Mean: 0.4, Var: 0.09})
	t0 := 0.4 / 0.3
	if want := 0.4*0.5*math.Erfc(-t0/math.Sqrt2) + 0.3*normPDF(t0); math.Abs(relu.Phi-want) > 1e-14 {
		t.Errorf("E[relu] = %.16g, closed form %.16g", relu.Phi, want)
	}
}

// TestExpect2Derivatives checks every derivative of Expect2 with nonzero means against
// finite differences, and E[Φ(u)Φ(v)] against a nested reference integral.
func TestExpect2Derivatives(t *testing.T) {
	gs := []Gauss2{
		{Mean1: 0.3, Mean2: -0.5, Var1: 1.2, Var2: 0.7, Cov: 0.4},
		{Mean1: -1, Mean2: 0.2, Var1: 0.5, Var2: 2.5, Cov: -0.9},
		{Mean1: 0.6, Mean2: 0.6, Var1: 2, Var2: 2, Cov: 1.7},
	}
	for _, phi := range allPhis() {
		for _, g := range gs {
			_, isFunc := phi.(Func) // its Φ is itself a quadrature: slow in a 2-D rule
			m := Expect2(phi, g)
			x := []float64{g.Mean1, g.Mean2, g.Var1, g.Var2, g.Cov}
			f := func(x []float64) float64 {
				return Expect2(phi, Gauss2{x[0], x[1], x[2], x[3], x[4]}).F
			}
			d := make([]float64, 5)
			fd.Gradient(d, f, x, &fd.Settings{Formula: fd.Central, Step: 1e-4})
			got := []float64{m.DMean1, m.DMean2, m.DVar1, m.DVar2, m.DCov}
			for i, name := range []string{"DMean1", "DMean2", "DVar1", "DVar2", "DCov"} {
				if math.Abs(got[i]-d[i]) > 2e-6*math.Max(1, math.Abs(d[i])) {
					t.Errorf("%s %v: %s = %.10g, finite difference %.10g", phi, g, name, got[i], d[i])
				}
			}
			if g != gs[0] || isFunc {
				continue // the nested reference is slow; one case per φ
			}
			want := nestedReference(phi, g)
			if got := ExpectAnti2(phi, g); math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %v: E[ΦΦ] = %.12g, reference %.12g", phi, g, got, want)
			}
		}
	}
}

// nestedReference is E[Φ(u)Φ(v)] by nested Gauss–Legendre in the rotated form, split
// at the kinks of Φ (Var1 ≥ Var2).
func nestedReference(phi Phi, g Gauss2) float64 {
	s1, alpha, beta := rotation(g)
	split := func(f func(float64) float64, k float64, ok bool) float64 {
		if ok && k > -zMax && k < zMax {
			return integrate(f, -zMax, k) + integrate(f, k, zMax)
		}
		return integrate(f, -zMax, zMax)
	}
	k, hasKink := kink(phi)
	return split(func(z1 float64) float64 {
		y := g.Mean2 + alpha*z1
		inner := split(func(z2 float64) float64 {
			return normPDF(z2) * phi.Antideriv(y+beta*z2)
		}, (k-y)/beta, hasKink)
		return normPDF(z1) * phi.Antideriv(g.Mean1+s1*z1) * inner
	}, (k-g.Mean1)/s1, hasKink)
}
