package models

import "math"

// expect2PL handles the piecewise-linear functions (Var1 ≥ Var2): with
// u = m1 + s1·z1 and v = y + β·z2, y = m2 + α·z1, the Gaussian over z2 is done in closed
// form (smoothPL) and the one over z1 by Gauss–Legendre panels split at the kink of φ(u)
// and refined around the kink of φ(v), whose smoothed form is sharp near the diagonal.
// The jump of Sign and Step (a delta function in φ') adds point terms.
func expect2PL(phi Phi, g Gauss2, anti bool) (Moments2, float64) {
	s1, alpha, beta := rotation(g)
	if s1 == 0 {
		f1, f2 := phi.Eval(g.Mean1), phi.Eval(g.Mean2)
		d1, d2 := phi.Deriv(g.Mean1), phi.Deriv(g.Mean2)
		return Moments2{F: f1 * f2, DCov: d1 * d2, DMean1: d1 * f2, DMean2: f1 * d2},
			phi.Antideriv(g.Mean1) * phi.Antideriv(g.Mean2)
	}
	var m Moments2
	var a float64
	var zd, vd float64 // E[z1 φ'(u) φ(v)] and E[(v − m2) φ(u) φ'(v)] (for β = 0)
	add := func(w, z, f1, d1 float64, point bool) {
		y := g.Mean2 + alpha*z
		s := smoothPL(phi, y, beta)
		m.F += w * f1 * s.g
		m.DMean1 += w * d1 * s.g
		m.DMean2 += w * f1 * s.g1
		m.DCov += w * d1 * s.g1
		m.DVar2 += w * f1 * s.g2 / 2
		zd += w * z * d1 * s.g
		vd += w * f1 * alpha * z * s.g1
		if anti && !point {
			a += w * phi.Antideriv(g.Mean1+s1*z) * s.a
		}
	}
	var vk []float64 // where v's mean crosses the kink
	if k, ok := kink(phi); ok && alpha != 0 {
		vk = []float64{(k - g.Mean2) / alpha, beta / math.Abs(alpha)}
	}
	gaussLegendreBreaks(phi, g.Mean1, s1, vk, func(w, z float64) {
		u := g.Mean1 + s1*z
		add(w, z, phi.Eval(u), phi.Deriv(u), false)
	})
	if p, ok := jump(phi); ok { // φ'(u) ⊃ size·δ(u − at): a point mass at z*
		z := (p.at - g.Mean1) / s1
		w := p.size * normPDF(z) / s1
		add(w, z, 0, 1, true) // the point mass enters only through φ'
	}
	m.DVar1 = (s1*zd - g.Cov*m.DCov) / (2 * g.Var1)
	if beta == 0 && g.Var2 > 0 {
		m.DVar2 = (vd - g.Cov*m.DCov) / (2 * g.Var2)
	}
	return m, a
}

// smoothed holds E[φ(y + βz)] and its first two y-derivatives, and E[Φ(y + βz)].
type smoothed struct{ g, g1, g2, a float64 }

// smoothPL returns the Gaussian smoothing of a piecewise-linear φ in closed form.
// For β = 0 it is φ itself with g2 = 0 (the delta functions are handled by the caller).
func smoothPL(phi Phi, y, beta float64) smoothed {
	if beta == 0 {
		return smoothed{g: phi.Eval(y), g1: phi.Deriv(y), a: phi.Antideriv(y)}
	}
	t := y / beta
	cdf, pdf := 0.5*math.Erfc(-t/math.Sqrt2), normPDF(t)
	relu := smoothed{g: y*cdf + beta*pdf, g1: cdf, g2: pdf / beta,
		a: ((y*y+beta*beta)*cdf + y*beta*pdf) / 2}
	switch p := phi.(type) {
	case ReLU:
		return relu
	case LeakyReLU:
		s := p.Slope
		return smoothed{g: s*y + (1-s)*relu.g, g1: s + (1-s)*relu.g1, g2: (1 - s) * relu.g2,
			a: (1-s)*relu.a + s*(y*y+beta*beta)/2}
	case Sign:
		return smoothed{g: 2*cdf - 1, g1: 2 * pdf / beta, g2: -2 * t * pdf / (beta * beta),
			a: y*(2*cdf-1) + 2*beta*pdf}
	case Step:
		return smoothed{g: cdf, g1: pdf / beta, g2: -t * pdf / (beta * beta), a: relu.g}
	case Affine:
		in := smoothPL(p.Phi, p.B*y+p.C, math.Abs(p.B)*beta)
		s := smoothed{g: p.A * in.g, g1: p.A * p.B * in.g1, g2: p.A * p.B * p.B * in.g2}
		if p.B == 0 {
			s.a = p.A * p.Phi.Eval(p.C) * y
		} else {
			s.a = p.A / p.B * (in.a - p.Phi.Antideriv(p.C))
		}
		return s
	case Linear:
		return smoothed{g: y, g1: 1, a: (y*y + beta*beta) / 2}
	}
	// Not reached: kink reports only the cases above. Fall back to φ itself.
	return smoothed{g: phi.Eval(y), g1: phi.Deriv(y), a: phi.Antideriv(y)}
}

// gaussLegendreBreaks calls add(w, z) for a rule for E[f(z)], z ~ N(0, 1), on [−9, 9]:
// 20-point Gauss–Legendre panels split at the kink of φ(mean + sd·z). refine, if given
// as {z0, width}, adds a break at z0 and panels of that width within 9 widths of it.
func gaussLegendreBreaks(phi Phi, mean, sd float64, refine []float64, add func(w, z float64)) {
	breaks := []float64{-zMax, zMax}
	if k, ok := kink(phi); ok {
		breaks = insertBreak(breaks, (k-mean)/sd)
	}
	base := math.Min(0.5, 0.5/(sd*scale(phi)))
	fine, lo0, hi0 := base, 0.0, 0.0
	if refine != nil {
		z0, w := refine[0], refine[1]
		breaks = insertBreak(breaks, z0)
		if w > 0 && w < base {
			fine, lo0, hi0 = w, z0-9*w, z0+9*w
			breaks = insertBreak(insertBreak(breaks, lo0), hi0)
		}
	}
	x, w := legendre20()
	for b := 0; b+1 < len(breaks); b++ {
		lo, hi := breaks[b], breaks[b+1]
		width := base
		if lo >= lo0 && hi <= hi0 {
			width = fine
		}
		n := int(math.Ceil((hi - lo) / width))
		h := (hi - lo) / float64(n)
		for p := range n {
			c := lo + (float64(p)+0.5)*h
			for i := range x {
				z := c + x[i]*h/2
				add(w[i]*h/2*normPDF(z), z)
			}
		}
	}
}

// insertBreak inserts v into the sorted breaks if it lies strictly inside and is new.
func insertBreak(s []float64, v float64) []float64 {
	if !(v > s[0] && v < s[len(s)-1]) {
		return s
	}
	i := 0
	for s[i] < v {
		i++
	}
	if s[i] == v {
		return s
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
