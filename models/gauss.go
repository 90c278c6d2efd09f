package models

import "math"

// Gauss is the normal distribution N(Mean, Var).
type Gauss struct{ Mean, Var float64 }

// Moments are one-point Gaussian expectations of a transfer function over x ~ N(Mean, Var).
type Moments struct {
	Phi   float64 // E[φ(x)]
	DPhi  float64 // E[φ'(x)] = ∂E[φ]/∂Mean
	DVar  float64 // ∂E[φ]/∂Var = ½E[φ''(x)]
	Phi2  float64 // E[φ(x)²]
	Anti  float64 // E[Φ(x)]
	Anti2 float64 // E[Φ(x)²]
}

// Expect returns the one-point moments of φ over g. It integrates in z = (x − Mean)/√Var
// on [−9, 9] by 20-point Gauss–Legendre panels no wider than the scale of φ's
// nonlinearity, split at φ's kink, so that it stays accurate for large variances and
// for ReLU-like functions. ∂E[φ]/∂Var comes from Gaussian integration by parts,
// E[φ'(x)z]/(2√Var), so no φ″ is needed.
func Expect(phi Phi, g Gauss) Moments {
	if g.Var <= 0 {
		x := g.Mean
		f, a := phi.Eval(x), phi.Antideriv(x)
		return Moments{Phi: f, DPhi: phi.Deriv(x), DVar: d2(phi, x) / 2, Phi2: f * f, Anti: a, Anti2: a * a}
	}
	sd := math.Sqrt(g.Var)
	var m Moments
	var dz float64 // E[φ'(x) z]
	anti := antiStepper(phi)
	gaussLegendre(phi, g.Mean, sd, func(w, z float64) {
		x := g.Mean + sd*z
		f, d, a := phi.Eval(x), phi.Deriv(x), anti(x)
		m.Phi += w * f
		m.DPhi += w * d
		m.Phi2 += w * f * f
		m.Anti += w * a
		m.Anti2 += w * a * a
		dz += w * d * z
	})
	m.DVar = dz / (2 * sd)
	if p, ok := jump(phi); ok { // φ' has a delta of weight p.size at x = p.at
		n := normPDF((p.at - g.Mean) / sd)
		m.DPhi += p.size * n / sd
		m.DVar += p.size * n * (p.at - g.Mean) / (2 * g.Var * sd)
	}
	return m
}

// gaussLegendre calls add(w, z) for the nodes and weights of E[f(z)], z ~ N(0, 1), on
// [−9, 9], with panels split at the kink of φ(mean + sd·z).
func gaussLegendre(phi Phi, mean, sd float64, add func(w, z float64)) {
	gaussLegendreBreaks(phi, mean, sd, nil, add)
}

func normPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }

// kink returns where φ is not smooth, for the piecewise-linear built-ins.
func kink(phi Phi) (float64, bool) {
	switch f := phi.(type) {
	case ReLU, LeakyReLU, Sign, Step:
		return 0, true
	case Affine:
		k, ok := kink(f.Phi)
		if !ok || f.B == 0 {
			return 0, false
		}
		return (k - f.C) / f.B, true
	}
	return 0, false
}

// delta is a jump of φ: φ' contains size·δ(x − at).
type delta struct{ at, size float64 }

func jump(phi Phi) (delta, bool) {
	switch f := phi.(type) {
	case Sign:
		return delta{0, 2}, true
	case Step:
		return delta{0, 1}, true
	case Affine:
		p, ok := jump(f.Phi)
		if !ok || f.B == 0 {
			return delta{}, false
		}
		// A·1[Bx + C > k] jumps by A·size·sign(B) at x = (k − C)/B.
		return delta{(p.at - f.C) / f.B, f.A * p.size * math.Copysign(1, f.B)}, true
	}
	return delta{}, false
}

// d2 returns φ″(x): exact for the built-ins that have it, else a central difference of
// φ' (error about 1e-10 for smooth φ), and 0 for piecewise-linear φ away from the kink.
func d2(phi Phi, x float64) float64 {
	if f, ok := secondDeriv(phi); ok {
		return f(x)
	}
	h := 1e-5 * math.Max(1, math.Abs(x))
	return (phi.Deriv(x+h) - phi.Deriv(x-h)) / (2 * h)
}

var legX, legW []float64

func legendre20() (x, w []float64) { return legX, legW }

func init() {
	legX, legW = make([]float64, 20), make([]float64, 20)
	legendreNodes(legX, legW)
}
