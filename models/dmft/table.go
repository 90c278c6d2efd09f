package dmft

import (
	"math"

	"github.com/ldfit/ldfit/models"
)

// corr gives C(Δ) = E[φ(M+u)φ(M+v)] for Var u = Var v = Δ0, Cov(u, v) = Δ, with its
// derivatives in Δ, Δ0 and M, at fixed (Δ0, M).
type corr interface {
	at(delta float64) (c, dDelta, dDelta0, dMean float64)
}

// closedCorr evaluates the closed forms of models.Pair directly (zero mean only).
type closedCorr struct {
	phi    models.Phi
	delta0 float64
}

func (c closedCorr) at(d float64) (float64, float64, float64, float64) {
	m := models.Pair(c.phi, c.delta0, c.delta0, d)
	return m.F, m.DC, m.DQ1 + m.DQ2, 0
}

// chebCorr interpolates C and its derivatives by Chebyshev polynomials: in Δ on
// [Δmin, Δ0] for smooth φ, where C is analytic in Δ, and in t = √(Δ0 − Δ) for the
// piecewise-linear φ, whose expansions near Δ = Δ0 go in powers of √(Δ0 − Δ).
type chebCorr struct {
	delta0, lo, tmax float64
	sqrt             bool
	coef             [4][]float64
}

// Chebyshev–Lobatto points per table: the fixed-point iterations use the coarse
// count; the Newton iterations start at chebNodes and double the intervals (reusing
// the values) until the last coefficients of C and ∂C/∂Δ fall below chebTol of the
// largest, up to chebMaxNodes.
const (
	chebNodesCoarse = 13
	chebNodes       = 49
	chebMaxNodes    = 385
	chebTol         = 1e-13
)

func newChebCorr(phi models.Phi, delta0, mean, deltaMin float64, coarse bool) *chebCorr {
	deltaMin = math.Max(deltaMin, -delta0)
	t := &chebCorr{delta0: delta0, lo: deltaMin, tmax: math.Sqrt(math.Max(delta0-deltaMin, 0)),
		sqrt: !models.Smooth(phi)}
	at := func(x float64) [4]float64 {
		cov := t.lo + (delta0-t.lo)*(x+1)/2
		if t.sqrt {
			tt := t.tmax * (x + 1) / 2
			cov = delta0 - tt*tt
		}
		m := models.Expect2(phi, models.Gauss2{Mean1: mean, Mean2: mean, Var1: delta0, Var2: delta0, Cov: cov})
		return [4]float64{m.F, m.DCov, m.DVar1 + m.DVar2, m.DMean1 + m.DMean2}
	}
	n := chebNodes
	if coarse {
		n = chebNodesCoarse
	}
	vals := make([][4]float64, n)
	for j := range n {
		vals[j] = at(math.Cos(math.Pi * float64(j) / float64(n-1)))
	}
	for {
		for k := range t.coef {
			v := make([]float64, n)
			for j := range v {
				v[j] = vals[j][k]
			}
			t.coef[k] = chebCoef(v)
		}
		if coarse || n >= chebMaxNodes || (converged(t.coef[0]) && converged(t.coef[1])) {
			return t
		}
		// Double the intervals: the old points are the even ones of the new set.
		m := 2*n - 1
		next := make([][4]float64, m)
		for j := range m {
			if j%2 == 0 {
				next[j] = vals[j/2]
			} else {
				next[j] = at(math.Cos(math.Pi * float64(j) / float64(m-1)))
			}
		}
		vals, n = next, m
	}
}

// converged reports whether the last two Chebyshev coefficients are negligible.
func converged(c []float64) bool {
	var top float64
	for _, v := range c {
		top = math.Max(top, math.Abs(v))
	}
	n := len(c)
	return math.Abs(c[n-1])+math.Abs(c[n-2]) <= chebTol*top
}

// chebCoef returns the Chebyshev coefficients of the interpolant through values at the
// Lobatto nodes cos(πj/(n−1)).
func chebCoef(v []float64) []float64 {
	n := len(v)
	c := make([]float64, n)
	for k := range n {
		var s float64
		for j := range n {
			w := 1.0
			if j == 0 || j == n-1 {
				w = 0.5
			}
			s += w * v[j] * math.Cos(math.Pi*float64(j*k)/float64(n-1))
		}
		c[k] = 2 * s / float64(n-1)
	}
	c[0] /= 2
	c[n-1] /= 2
	return c
}

func clenshaw(c []float64, x float64) float64 {
	var b1, b2 float64
	for k := len(c) - 1; k >= 1; k-- {
		b1, b2 = 2*x*b1-b2+c[k], b1
	}
	return x*b1 - b2 + c[0]
}

func (t *chebCorr) at(d float64) (float64, float64, float64, float64) {
	x := 1.0
	switch {
	case t.tmax == 0:
	case t.sqrt:
		x = 2*math.Sqrt(math.Max(t.delta0-d, 0))/t.tmax - 1
	default:
		x = 2*(d-t.lo)/(t.delta0-t.lo) - 1
	}
	x = math.Max(-1, math.Min(1, x))
	return clenshaw(t.coef[0], x), clenshaw(t.coef[1], x), clenshaw(t.coef[2], x), clenshaw(t.coef[3], x)
}
