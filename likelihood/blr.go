package likelihood

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// BLR is the Gaussian posterior of the weights of several Bayesian linear regressions
// that share their design, prior and noise:
//
//	y_u = Φ w_u + ε_u,   ε_u ~ N(0, σ² I),   w_u ~ N(m, diag(v)),   u = 1 … U.
//
// It is the posterior of the coupling rows J_i of the units of one population given
// their residuals (DESIGN.md §4). The posterior precision P = diag(1/v) + ΦᵀΦ/σ² does
// not depend on the target, so it is factored once for all targets: O(N³ + N²T) in
// total rather than per target.
//
// Designs are given transposed, as F = Φᵀ (N regressors × T samples), which is the
// unit-major layout of a data.Recording.
type BLR struct {
	noise float64
	chol  mat.Cholesky
	linv  *mat.Dense // L⁻¹, L the lower Cholesky factor of P (upper triangle zero)
	mean  *mat.Dense // N × U posterior means
	meanT *mat.Dense // U × N, the same transposed, for a non-transposed product
}

// Gram returns F Fᵀ for a design F given as N regressors × T samples.
func Gram(f mat.Matrix) *mat.SymDense {
	n, _ := f.Dims()
	g := mat.NewSymDense(n, nil)
	g.SymOuterK(1, f)
	return g
}

// NewBLR returns the posterior given the Gram matrix gram = F Fᵀ of the design, the
// cross products fy = F Yᵀ (N × U) with the targets, the prior mean m and prior
// variances v of the weights (length N, every v positive) and the noise variance.
func NewBLR(gram *mat.SymDense, fy *mat.Dense, m, v []float64, noise float64) (*BLR, error) {
	n := gram.SymmetricDim()
	if r, _ := fy.Dims(); r != n || len(m) != n || len(v) != n {
		return nil, fmt.Errorf("likelihood: BLR dimensions disagree: Gram %d, cross products %d, prior mean %d, prior variances %d",
			n, r, len(m), len(v))
	}
	if !(noise > 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("likelihood: BLR noise variance %v must be positive and finite", noise)
	}
	p := mat.NewSymDense(n, nil)
	p.ScaleSym(1/noise, gram)
	for j, vj := range v {
		if !(vj > 0) || math.IsInf(vj, 0) {
			return nil, fmt.Errorf("likelihood: BLR prior variance of weight %d is %v; it must be positive and finite", j, vj)
		}
		p.SetSym(j, j, p.At(j, j)+1/vj)
	}
	b := &BLR{noise: noise}
	if !b.chol.Factorize(p) {
		return nil, fmt.Errorf("likelihood: BLR posterior precision is not positive definite (non-finite design values?)")
	}
	// Predict's variances are ‖L⁻¹f‖²: with L⁻¹ formed once (N³/3 flops) they are
	// matrix products, which gonum's Dgemm runs blocked and in parallel; a triangular
	// solve per block of test samples (Dtrsm) is several times slower.
	var tri mat.TriDense
	b.chol.LTo(&tri)
	if err := tri.InverseTri(&tri); err != nil {
		return nil, fmt.Errorf("likelihood: BLR posterior precision is singular to working precision: %v", err)
	}
	b.linv = mat.NewDense(n, n, nil)
	b.linv.Copy(&tri)

	_, u := fy.Dims()
	rhs := mat.NewDense(n, u, nil)
	rhs.Scale(1/noise, fy)
	for j := 0; j < n; j++ {
		pm := m[j] / v[j]
		row := rhs.RawRowView(j)
		for k := range row {
			row[k] += pm
		}
	}
	b.mean = mat.NewDense(n, u, nil)
	if err := b.chol.SolveTo(b.mean, rhs); err != nil {
		return nil, fmt.Errorf("likelihood: BLR posterior mean: %v", err)
	}
	b.meanT = mat.DenseCopyOf(b.mean.T())
	return b, nil
}

// Noise returns the noise variance σ².
func (b *BLR) Noise() float64 { return b.noise }

// Mean returns the N × U matrix of posterior mean weights, one column per target.
func (b *BLR) Mean() *mat.Dense { return b.mean }

// Predict evaluates the posterior predictive at new design columns fstar (N × T*):
// it stores the means of the U targets in mean (U × T*, may be nil) and, in wvar
// (length T*, may be nil), the variance fᵀ P⁻¹ f that the weights' uncertainty adds;
// the predictive variance of a new observation is wvar + Noise(). It may be called
// concurrently.
func (b *BLR) Predict(fstar *mat.Dense, mean *mat.Dense, wvar []float64) {
	n, t := fstar.Dims()
	if nn, _ := b.linv.Dims(); n != nn {
		panic(fmt.Sprintf("likelihood: BLR.Predict: %d regressors, posterior has %d", n, nn))
	}
	if mean != nil {
		mean.Mul(b.meanT, fstar)
	}
	if wvar == nil {
		return
	}
	if len(wvar) != t {
		panic(fmt.Sprintf("likelihood: BLR.Predict: variance slice of length %d for %d samples", len(wvar), t))
	}
	for k := range wvar {
		wvar[k] = 0
	}
	// Z = L⁻¹F by row blocks of L⁻¹: rows [lo, hi) are zero beyond column hi, so they
	// multiply only the first hi rows of F, which saves close to half the flops.
	const nb = 128
	buf := make([]float64, min(nb, n)*t)
	for lo := 0; lo < n; lo += nb {
		hi := min(lo+nb, n)
		z := mat.NewDense(hi-lo, t, buf[:(hi-lo)*t])
		z.Mul(b.linv.Slice(lo, hi, 0, hi), fstar.Slice(0, hi, 0, t))
		for j := 0; j < hi-lo; j++ {
			for k, x := range z.RawRowView(j) {
				wvar[k] += x * x
			}
		}
	}
}
