package kernel

import (
	"math"
	"sync"

	"github.com/ldfit/ldfit/models"
)

// Transfer functions without a closed-form pair moment are expanded in normalised
// Hermite polynomials h_k = He_k/√k! (Mehler's formula): with u = √q₁ z₁,
// v = √q₂ z₂ and corr(z₁, z₂) = ρ = c/√(q₁q₂),
//
//	E[φ(u)φ(v)] = Σ_k α_k(q₁) α_k(q₂) ρ^k,   α_k(q) = E[φ(√q z) h_k(z)].
//
// The coefficients of each point are computed once per layer by a one-dimensional
// trapezoid rule; an entry then costs a few dozen multiply-adds instead of a
// two-dimensional quadrature. Truncating after K terms leaves an error of at most
// √(t₁t₂) ≤ seriesTol by Cauchy–Schwarz, with t = E[φ²] − Σ_{k≤K} α_k² the tail of
// each point, which the number of terms is chosen to bound. Points whose tail does not
// fall below the tolerance within seriesMax terms (φ with kinks, very large
// variances) use models.Pair.
const (
	seriesTol  = 1e-12
	seriesMax  = 320
	seriesStep = 0.08 // trapezoid spacing in z
	seriesZ    = 13.0 // the rule covers |z| ≤ seriesZ, where e^{−z²/4} < 1e-18
)

// hermiteRule is the trapezoid rule for E[f(z)] with the normalised Hermite
// polynomials folded into its weights.
type hermiteRule struct {
	z, w []float64
	hw   [][]float64 // hw[k][m] = h_k(z_m) w_m
}

var hermite = sync.OnceValue(func() *hermiteRule {
	n := 2*int(math.Floor(seriesZ/seriesStep)) + 1
	r := &hermiteRule{z: make([]float64, n), w: make([]float64, n), hw: make([][]float64, seriesMax+1)}
	for m := range r.z {
		z := float64(m-n/2) * seriesStep
		r.z[m], r.w[m] = z, seriesStep*math.Exp(-z*z/2)/math.Sqrt(2*math.Pi)
	}
	prev, cur := make([]float64, n), make([]float64, n)
	for m := range cur {
		cur[m] = 1
	}
	for k := 0; k <= seriesMax; k++ {
		row := make([]float64, n)
		for m := range row {
			row[m] = cur[m] * r.w[m]
		}
		r.hw[k] = row
		// h_{k+1} = (z h_k − √k h_{k−1}) / √(k+1)
		next := make([]float64, n)
		for m, z := range r.z {
			next[m] = (z*cur[m] - math.Sqrt(float64(k))*prev[m]) / math.Sqrt(float64(k+1))
		}
		prev, cur = cur, next
	}
	return r
})

// closedForm reports whether models.Pair has a closed form for φ.
func closedForm(phi models.Phi) bool {
	switch phi.(type) {
	case models.Erf, models.ReLU, models.LeakyReLU, models.Linear, models.Sign, models.Step:
		return true
	}
	return false
}

// seriesPoint holds the Hermite coefficients of one point at one step, or ok false when
// the series does not converge there.
type seriesPoint struct {
	a, da []float64 // α_k(q) and dα_k/dq
	q     float64
	ok    bool
}

// selfMoment returns E[φ(√q z)²] and its derivative with respect to q, the pair moment
// of a point with itself.
func selfMoment(phi models.Phi, q float64) (f, df float64) {
	if q < 1e-12 {
		m := models.Pair(phi, q, q, q)
		return m.F, m.DQ1 + m.DQ2 + m.DC
	}
	r := hermite()
	s := math.Sqrt(q)
	for m, z := range r.z {
		v := phi.Eval(s * z)
		f += r.w[m] * v * v
		df += r.w[m] * v * phi.Deriv(s*z) * z
	}
	return f, df / s
}

// expand returns the coefficients of φ(√q z) up to the fewest terms (at least terms)
// whose tail is below seriesTol.
func expand(phi models.Phi, q float64, terms int) seriesPoint {
	p := seriesPoint{q: q}
	if q < 1e-12 {
		return p
	}
	r := hermite()
	s := math.Sqrt(q)
	n := len(r.z)
	f, fd := make([]float64, n), make([]float64, n)
	var norm float64
	for m, z := range r.z {
		f[m] = phi.Eval(s * z)
		fd[m] = phi.Deriv(s*z) * z / (2 * s)
		norm += r.w[m] * f[m] * f[m]
	}
	var sum float64
	for k := 0; k <= seriesMax; k++ {
		var a, da float64
		for m, hw := range r.hw[k] {
			a += hw * f[m]
			da += hw * fd[m]
		}
		p.a, p.da = append(p.a, a), append(p.da, da)
		sum += a * a
		if k+1 >= terms && norm-sum < seriesTol {
			p.ok = true
			return p
		}
	}
	return p
}

// seriesPair returns the pair moments from two points' coefficients. Both expansions
// must have the same number of terms (see expand's terms) for the error bound to hold.
func seriesPair(p1, p2 *seriesPoint, c float64) models.PairMoments {
	sq := math.Sqrt(p1.q * p2.q)
	rho := math.Max(-1, math.Min(1, c/sq))
	// Horner's scheme for Σ a1 a2 ρ^k, Σ da1 a2 ρ^k, Σ a1 da2 ρ^k and Σ k a1 a2 ρ^{k−1}.
	var f, f1, f2, fc float64
	for k := min(len(p1.a), len(p2.a)) - 1; k >= 0; k-- {
		aa := p1.a[k] * p2.a[k]
		f = f*rho + aa
		f1 = f1*rho + p1.da[k]*p2.a[k]
		f2 = f2*rho + p1.a[k]*p2.da[k]
		if k > 0 {
			fc = fc*rho + float64(k)*aa
		}
	}
	return models.PairMoments{
		F:   f,
		DQ1: f1 - fc*rho/(2*p1.q),
		DQ2: f2 - fc*rho/(2*p2.q),
		DC:  fc / sq,
	}
}

// seriesF returns E[φ(u)φ(v)] alone, a quarter of the work of seriesPair.
func seriesF(p1, p2 *seriesPoint, c float64) float64 {
	rho := math.Max(-1, math.Min(1, c/math.Sqrt(p1.q*p2.q)))
	a1, a2 := p1.a, p2.a[:len(p1.a)]
	var f float64
	for k := len(a1) - 1; k >= 0; k-- {
		f = f*rho + a1[k]*a2[k]
	}
	return f
}
