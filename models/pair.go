package models

import "math"

// PairMoments are moments of (u, v) ~ N(0, [[Q1, C], [C, Q2]]).
type PairMoments struct {
	F   float64 // E[φ(u)φ(v)]
	DQ1 float64 // ∂F/∂Q1
	DQ2 float64 // ∂F/∂Q2
	DC  float64 // ∂F/∂C = E[φ'(u)φ'(v)] (Price's theorem)
}

// Pair returns E[φ(u)φ(v)] and its derivatives for the zero-mean Gaussian pair with
// variances q1, q2 and covariance c (|c| ≤ √(q1·q2); a c outside is clamped).
//
// Closed forms: Erf (arcsin kernel, in the atan2 form that stays accurate as |ρ| → 1),
// ReLU (arc-cosine kernel), LeakyReLU, Linear, Sign, Step, and Affine of these with
// C = 0 (and of Linear with any C). Everything else is integrated in the rotated form
// u = √Q1 z1, v = (C/√Q1) z1 + √(Q2 − C²/Q1) z2 by a trapezoid rule whose spacing
// follows the scale of φ (see Expect2), which is exact on the diagonal C² = Q1Q2 where
// a Cholesky factor of the 2×2 would break down.
//
// On the diagonal some derivatives are infinite (DC for Sign and Step), as is DQ1 of
// ReLU at Q1 = 0; Pair returns them as ±Inf.
func Pair(phi Phi, q1, q2, c float64) PairMoments {
	if m, ok := pairClosed(phi, q1, q2, c); ok {
		return m
	}
	e := Expect2(phi, Gauss2{Var1: q1, Var2: q2, Cov: c})
	return PairMoments{F: e.F, DQ1: e.DVar1, DQ2: e.DVar2, DC: e.DCov}
}

// clampCov returns c clamped to [−√(q1q2), √(q1q2)] and the nonnegative q1q2 − c².
func clampCov(q1, q2, c float64) (float64, float64) {
	q1, q2 = math.Max(q1, 0), math.Max(q2, 0)
	lim := math.Sqrt(q1 * q2)
	c = math.Max(-lim, math.Min(lim, c))
	return c, math.Max(q1*q2-c*c, 0)
}

func pairClosed(phi Phi, q1, q2, c float64) (PairMoments, bool) {
	c, det := clampCov(q1, q2, c)
	switch f := phi.(type) {
	case Linear:
		return PairMoments{F: c, DC: 1}, true
	case Erf:
		return pairErf(f.B, q1, q2, c, det), true
	case ReLU:
		return pairReLU(q1, q2, c, det), true
	case LeakyReLU:
		r := pairReLU(q1, q2, c, det)
		// φ = s·x + (1 − s)·relu(x); P(u > 0) is ½, or 0 when u ≡ 0.
		s, k := f.Slope, (1-f.Slope)*(1-f.Slope)
		pos := func(q float64) float64 {
			if q > 0 {
				return 0.5
			}
			return 0
		}
		dc := s*s + s*(1-s)*(pos(q1)+pos(q2)) + k*r.DC
		return PairMoments{F: s*c + k*r.F, DQ1: k * r.DQ1, DQ2: k * r.DQ2, DC: dc}, true
	case Sign:
		return pairSign(q1, q2, c, det), true
	case Step:
		if q1 <= 0 || q2 <= 0 { // step(0) = 0
			return PairMoments{}, true
		}
		s := pairSign(q1, q2, c, det)
		return PairMoments{F: 0.25 + s.F/4, DQ1: s.DQ1 / 4, DQ2: s.DQ2 / 4, DC: s.DC / 4}, true
	case Affine:
		if _, lin := f.Phi.(Linear); lin {
			a2, b2 := f.A*f.A, f.B*f.B
			return PairMoments{F: a2 * (b2*c + f.C*f.C), DC: a2 * b2}, true
		}
		if f.C != 0 {
			return PairMoments{}, false
		}
		in, ok := pairClosed(f.Phi, f.B*f.B*q1, f.B*f.B*q2, f.B*f.B*c)
		if !ok {
			return PairMoments{}, false
		}
		a2, b2 := f.A*f.A, f.B*f.B
		return PairMoments{F: a2 * in.F, DQ1: a2 * b2 * in.DQ1, DQ2: a2 * b2 * in.DQ2, DC: a2 * b2 * in.DC}, true
	}
	return PairMoments{}, false
}

// pairErf is the arcsin kernel (2/π) asin(2B²C/√((1+2B²Q1)(1+2B²Q2))), written as an
// atan2 whose second argument, 1 + 2B²(Q1+Q2) + 4B⁴(Q1Q2 − C²), has no cancellation.
func pairErf(b, q1, q2, c, det float64) PairMoments {
	b2 := b * b
	a1, a2 := 1+2*b2*q1, 1+2*b2*q2
	num := 2 * b2 * c
	r := math.Sqrt(1 + 2*b2*(q1+q2) + 4*b2*b2*det)
	return PairMoments{
		F:   2 / math.Pi * math.Atan2(num, r),
		DQ1: -2 / math.Pi * b2 * num / (a1 * r),
		DQ2: -2 / math.Pi * b2 * num / (a2 * r),
		DC:  4 * b2 / (math.Pi * r),
	}
}

// pairReLU is the arc-cosine kernel (√(Q1Q2 − C²) + (π − θ)C)/(2π), cos θ = C/√(Q1Q2).
func pairReLU(q1, q2, c, det float64) PairMoments {
	if q1 <= 0 || q2 <= 0 {
		m := PairMoments{DC: 0}
		// F = √(Q1Q2)/(2π) near the axes: infinite slope toward the zero variance.
		if q1 <= 0 && q2 > 0 {
			m.DQ1 = math.Inf(1)
		}
		if q2 <= 0 && q1 > 0 {
			m.DQ2 = math.Inf(1)
		}
		return m
	}
	s := math.Sqrt(det)
	theta := math.Atan2(s, c)
	return PairMoments{
		F:   (s + (math.Pi-theta)*c) / (2 * math.Pi),
		DQ1: s / (4 * math.Pi * q1),
		DQ2: s / (4 * math.Pi * q2),
		DC:  (math.Pi - theta) / (2 * math.Pi),
	}
}

// pairSign is (2/π) asin(C/√(Q1Q2)) = (2/π) atan2(C, √(Q1Q2 − C²)).
func pairSign(q1, q2, c, det float64) PairMoments {
	if q1 <= 0 || q2 <= 0 { // sign(0) = 0
		return PairMoments{}
	}
	s := math.Sqrt(det)
	m := PairMoments{F: 2 / math.Pi * math.Atan2(c, s)}
	if s == 0 {
		m.DC = math.Inf(1)
		m.DQ1, m.DQ2 = math.Inf(-1)*c, math.Inf(-1)*c
		return m
	}
	m.DC = 2 / (math.Pi * s)
	m.DQ1 = -c / (math.Pi * q1 * s)
	m.DQ2 = -c / (math.Pi * q2 * s)
	return m
}

// HasClosedForm reports whether Pair computes E[φ(u)φ(v)] for φ in closed form rather
// than by quadrature.
func HasClosedForm(phi Phi) bool {
	_, ok := pairClosed(phi, 1, 1, 0.5)
	return ok
}
