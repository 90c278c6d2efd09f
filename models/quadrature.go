package models

import (
	"math"
	"sync"

	"gonum.org/v1/gonum/integrate/quad"
)

// rule is a quadrature rule for E[f(z)], z ~ N(0, 1): Σ w_i f(z_i).
type rule struct{ z, w []float64 }

// zMax bounds the trapezoid rules: the normal density beyond ±9 is below 1e-17.
const zMax = 9

var rules sync.Map // key: int (points of the trapezoid rule on [−zMax, zMax]) → *rule

// trapezoid returns the trapezoid rule on [−zMax, zMax] with spacing at most h. For an
// integrand analytic in the strip |Im z| < d the error is about e^{−2πd/h}, which is
// why it stays accurate where Gauss–Hermite does not: tanh(s·z) with large s has poles
// at distance π/(2s) from the real axis, and the rule's spacing follows s.
func trapezoid(h float64) *rule {
	n := int(math.Ceil(2*zMax/h)) + 1
	if n%2 == 0 {
		n++ // keep z = 0 on the grid
	}
	if r, ok := rules.Load(n); ok {
		return r.(*rule)
	}
	r := &rule{z: make([]float64, n), w: make([]float64, n)}
	step := 2 * zMax / float64(n-1)
	c := step / math.Sqrt(2*math.Pi)
	for i := range n {
		z := -zMax + float64(i)*step
		r.z[i], r.w[i] = z, c*math.Exp(-z*z/2)
	}
	rules.Store(n, r)
	return r
}

// spacing returns the trapezoid spacing for smooth φ at input standard deviation sd:
// 0.3/s with s = sd·scale(φ) (error about e^{−π²/0.3} ≈ 5e-15 for poles at distance
// π/(2s) like tanh's), at most 0.6 (where the Gaussian weight alone limits the error to
// about e^{−2π²/0.36}).
func spacing(phi Phi, sd float64) float64 {
	s := sd * scale(phi)
	if s < 0.5 {
		return 0.6
	}
	return 0.3 / s
}

// scale is the factor by which φ compresses its argument (the inverse width of its
// nonlinearity), so that the rule's spacing follows the input scale.
func scale(phi Phi) float64 {
	switch f := phi.(type) {
	case Erf:
		return math.Abs(f.B)
	case Logistic:
		return 0.5
	case Func: // unknown: resolve features down to a width of ½
		return 2
	case Affine:
		return math.Abs(f.B) * scale(f.Phi)
	}
	return 1
}

// integrate returns ∫_a^b f by 20-point Gauss–Legendre on panels of width at most 1/4.
func integrate(f func(float64) float64, a, b float64) float64 {
	if a == b {
		return 0
	}
	n := int(math.Ceil(4 * math.Abs(b-a)))
	h := (b - a) / float64(n)
	x, w := legendre20()
	var sum float64
	for k := range n {
		c := a + (float64(k)+0.5)*h
		for i := range x {
			sum += w[i] * f(c+x[i]*h/2)
		}
	}
	return sum * h / 2
}

func legendreNodes(x, w []float64) { quad.Legendre{}.FixedLocations(x, w, -1, 1) }
