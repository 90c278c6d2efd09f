package models

import "math"

// Gauss2 is the normal distribution of a pair (u, v) with means Mean1, Mean2, variances
// Var1, Var2 and covariance Cov.
type Gauss2 struct{ Mean1, Mean2, Var1, Var2, Cov float64 }

// Moments2 are two-point Gaussian expectations of a transfer function over a Gauss2.
type Moments2 struct {
	F      float64 // E[φ(u)φ(v)]
	DCov   float64 // ∂F/∂Cov = E[φ'(u)φ'(v)]
	DVar1  float64 // ∂F/∂Var1 = ½E[φ''(u)φ(v)]
	DVar2  float64 // ∂F/∂Var2 = ½E[φ(u)φ''(v)]
	DMean1 float64 // ∂F/∂Mean1 = E[φ'(u)φ(v)]
	DMean2 float64 // ∂F/∂Mean2 = E[φ(u)φ'(v)]
}

// Expect2 returns the two-point moments of φ over g (a Cov outside ±√(Var1·Var2) is
// clamped). It integrates in the rotated form u = m1 + √Q1 z1,
// v = m2 + (C/√Q1) z1 + √((Q1Q2 − C²)/Q1) z2, with the larger variance first, never
// through a Cholesky factor, so the diagonal C² = Q1Q2 and zero variances are exact.
//
// Smooth φ (Tanh, Erf, Linear, Logistic, Func and their Affine forms) use a trapezoid
// rule on [−9, 9]² with spacing 0.3/s, s the input standard deviation times φ's scale:
// its error, about e^{−π²/0.3}, does not grow with the variance as Gauss–Hermite's does.
// φ″ is exact for the built-ins and a central difference of φ' for Func. A Func is
// assumed smooth on the scale of ½ (like tanh(2x)); kinks cost accuracy.
//
// Piecewise-linear φ (ReLU, LeakyReLU, Sign, Step and their Affine forms) integrate the
// inner Gaussian in closed form and the outer by Gauss–Legendre panels split at the
// kinks, with the delta functions of φ' as point terms; ∂/∂Var1 comes from Gaussian
// integration by parts. On the diagonal, derivatives that are infinite (DCov of Sign
// and Step) come out as large finite numbers.
func Expect2(phi Phi, g Gauss2) Moments2 {
	m, _ := expect2(phi, g, false)
	return m
}

// ExpectAnti2 returns E[Φ(u)Φ(v)] over g, Φ the antiderivative of φ with Φ(0) = 0, by
// the rules of Expect2.
func ExpectAnti2(phi Phi, g Gauss2) float64 {
	_, a := expect2(phi, g, true)
	return a
}

// expect2 returns the moments and, if anti, E[Φ(u)Φ(v)].
func expect2(phi Phi, g Gauss2, anti bool) (Moments2, float64) {
	g.Var1, g.Var2 = math.Max(g.Var1, 0), math.Max(g.Var2, 0)
	if g.Var2 > g.Var1 {
		m, a := expect2(phi, swap(g), anti)
		return m.swap(), a
	}
	g.Cov, _ = clampCov(g.Var1, g.Var2, g.Cov)
	if _, ok := kink(phi); ok {
		return expect2PL(phi, g, anti)
	}
	return expect2Smooth(phi, g, anti)
}

func swap(g Gauss2) Gauss2 {
	return Gauss2{Mean1: g.Mean2, Mean2: g.Mean1, Var1: g.Var2, Var2: g.Var1, Cov: g.Cov}
}

func (m Moments2) swap() Moments2 {
	m.DVar1, m.DVar2 = m.DVar2, m.DVar1
	m.DMean1, m.DMean2 = m.DMean2, m.DMean1
	return m
}

// rotation returns u = m1 + s1·z1, v = m2 + α·z1 + β·z2 for g with Var1 ≥ Var2.
func rotation(g Gauss2) (s1, alpha, beta float64) {
	s1 = math.Sqrt(g.Var1)
	if s1 == 0 {
		return 0, 0, 0
	}
	_, det := clampCov(g.Var1, g.Var2, g.Cov)
	return s1, g.Cov / s1, math.Sqrt(det) / s1
}

func expect2Smooth(phi Phi, g Gauss2, anti bool) (Moments2, float64) {
	eval := fused(phi)
	s1, alpha, beta := rotation(g)
	if s1 == 0 {
		f1, d1, dd1 := eval(g.Mean1)
		f2, d2, dd2 := eval(g.Mean2)
		m := Moments2{F: f1 * f2, DCov: d1 * d2, DVar1: dd1 * f2 / 2, DVar2: f1 * dd2 / 2, DMean1: d1 * f2, DMean2: f1 * d2}
		return m, phi.Antideriv(g.Mean1) * phi.Antideriv(g.Mean2)
	}
	r := trapezoid(spacing(phi, s1))
	var m Moments2
	var a float64
	outer, inner := antiStepper(phi), antiStepper(phi)
	// For odd φ and zero means every moment but DMean is even under (z1, z2) → −(z1, z2):
	// half the plane suffices (the rule is symmetric with z = 0 in the middle).
	first, half := 0, g.Mean1 == 0 && g.Mean2 == 0 && isOdd(phi)
	if half {
		first = len(r.z) / 2
	}
	for i := first; i < len(r.z); i++ {
		z1 := r.z[i]
		u := g.Mean1 + s1*z1
		y := g.Mean2 + alpha*z1
		var sf, sd, sdd, sa float64
		if beta == 0 {
			sf, sd, sdd = eval(y)
			if anti {
				sa = phi.Antideriv(y)
			}
		} else {
			for j, z2 := range r.z {
				v := y + beta*z2
				f, d, dd := eval(v)
				w := r.w[j]
				sf += w * f
				sd += w * d
				sdd += w * dd
				if anti {
					sa += w * inner(v)
				}
			}
		}
		f1, d1, dd1 := eval(u)
		w := r.w[i]
		if half && i > first {
			w *= 2
		}
		m.F += w * f1 * sf
		m.DCov += w * d1 * sd
		m.DVar1 += w * dd1 * sf / 2
		m.DVar2 += w * f1 * sdd / 2
		m.DMean1 += w * d1 * sf
		m.DMean2 += w * f1 * sd
		if anti {
			a += w * outer(u) * sa
		}
	}
	if half {
		m.DMean1, m.DMean2 = 0, 0
	}
	return m, a
}

// fused returns x ↦ φ(x) and its first two derivatives, sharing the work where the
// function allows.
func fused(phi Phi) func(float64) (float64, float64, float64) {
	switch f := phi.(type) {
	case Tanh:
		return func(x float64) (float64, float64, float64) {
			// 1 − 2/(e^{2x} + 1): one exponential, absolute error below 1e-16, which is
			// what an integral needs (math.Tanh keeps relative accuracy near 0 at twice
			// the cost).
			t := 1 - 2/(math.Exp(2*x)+1)
			d := 1 - t*t
			return t, d, -2 * t * d
		}
	case Logistic:
		return func(x float64) (float64, float64, float64) {
			s := f.Eval(x)
			d := s * (1 - s)
			return s, d, d * (1 - 2*s)
		}
	case Affine:
		in := fused(f.Phi)
		return func(x float64) (float64, float64, float64) {
			a, b, c := in(f.B*x + f.C)
			return f.A * a, f.A * f.B * b, f.A * f.B * f.B * c
		}
	}
	return func(x float64) (float64, float64, float64) { return phi.Eval(x), phi.Deriv(x), d2(phi, x) }
}
