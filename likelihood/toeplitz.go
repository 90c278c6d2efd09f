package likelihood

import (
	"fmt"
	"math"
)

// Toeplitz is a symmetric positive-definite Toeplitz matrix T[i][j] = r[|i-j|], the
// covariance of L consecutive samples of a stationary process with autocovariance r,
// factored by the Levinson–Durbin recursion.
//
// The recursion yields, for every m, the coefficients φ_m of the best linear predictor
// of sample m from the m samples before it and its error variance e_m. The innovations
// ε_m = x_m − Σ_j φ_{m,j} x_{m−j} are uncorrelated, so with A the unit lower-triangular
// matrix of predictor rows, A T Aᵀ = diag(e) and T⁻¹ = Aᵀ diag(e)⁻¹ A. Factoring costs
// O(L²) time and L²/2 memory; each solve afterwards O(L²).
type Toeplitz struct {
	r   []float64
	phi [][]float64 // phi[m][j-1] = φ_{m,j}, j = 1..m
	e   []float64   // innovation variances e_0 .. e_{L-1}
}

// NewToeplitz factors the Toeplitz matrix with first row r. It returns an error when
// the matrix is not positive definite (some innovation variance is not positive), which
// for an autocovariance means it is not a valid one for this many lags.
func NewToeplitz(r []float64) (*Toeplitz, error) {
	n := len(r)
	if n == 0 {
		return nil, fmt.Errorf("likelihood: Toeplitz matrix needs at least one autocovariance value")
	}
	for k, v := range r {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("likelihood: autocovariance at lag %d is %v", k, v)
		}
	}
	if !(r[0] > 0) {
		return nil, fmt.Errorf("likelihood: autocovariance at lag 0 is %v; it must be positive", r[0])
	}
	t := &Toeplitz{r: append([]float64(nil), r...), phi: make([][]float64, n), e: make([]float64, n)}
	t.e[0] = r[0]
	// Relative floor below which an innovation variance counts as zero: the matrix is
	// then singular to working precision and its solves would be meaningless.
	floor := r[0] * 1e-13
	for m := 1; m < n; m++ {
		prev := t.phi[m-1]
		acc := r[m]
		for j := 1; j < m; j++ {
			acc -= prev[j-1] * r[m-j]
		}
		k := acc / t.e[m-1]
		cur := make([]float64, m)
		for j := 1; j < m; j++ {
			cur[j-1] = prev[j-1] - k*prev[m-j-1]
		}
		cur[m-1] = k
		t.phi[m] = cur
		t.e[m] = t.e[m-1] * (1 - k*k)
		if !(t.e[m] > floor) {
			return nil, fmt.Errorf("likelihood: Toeplitz matrix of %d lags is not positive definite "+
				"(innovation variance %.3g at lag %d); use fewer lags or a wider spacing", n, t.e[m], m)
		}
	}
	return t, nil
}

// Len returns the order L of the matrix.
func (t *Toeplitz) Len() int { return len(t.r) }

// Innovations returns the prediction-error variances e_0 … e_{L-1}. The slice aliases
// the factorisation and must not be modified.
func (t *Toeplitz) Innovations() []float64 { return t.e }

// LogDet returns log det T = Σ log e_m.
func (t *Toeplitz) LogDet() float64 {
	s := 0.0
	for _, e := range t.e {
		s += math.Log(e)
	}
	return s
}

// innovate stores A b in dst.
func (t *Toeplitz) innovate(dst, b []float64) {
	for m := len(b) - 1; m >= 0; m-- {
		acc := b[m]
		for j, p := range t.phi[m] {
			acc -= p * b[m-j-1]
		}
		dst[m] = acc
	}
}

// Solve stores T⁻¹ b in dst and returns it; dst may be nil (then it is allocated) or b.
func (t *Toeplitz) Solve(dst, b []float64) []float64 {
	n := t.Len()
	if len(b) != n {
		panic(fmt.Sprintf("likelihood: Toeplitz.Solve: right-hand side of length %d for order %d", len(b), n))
	}
	if dst == nil {
		dst = make([]float64, n)
	}
	t.innovate(dst, b)
	for m := range dst {
		dst[m] /= t.e[m]
	}
	// dst ← Aᵀ dst, in place from the front: entry n only receives from rows m > n.
	for nn := 0; nn < n; nn++ {
		acc := dst[nn]
		for m := nn + 1; m < n; m++ {
			acc -= t.phi[m][m-nn-1] * dst[m]
		}
		dst[nn] = acc
	}
	return dst
}

// Quad returns bᵀ T⁻¹ b.
func (t *Toeplitz) Quad(b []float64) float64 {
	u := make([]float64, len(b))
	t.innovate(u, b)
	s := 0.0
	for m, v := range u {
		s += v * v / t.e[m]
	}
	return s
}
