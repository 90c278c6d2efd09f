package likelihood

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Jitter levels tried, relative to the mean diagonal of the matrix, when a Cholesky
// factorisation fails: from round-off size up to a level that visibly changes a fit.
var jitterLevels = []float64{0, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4}

// Chol is the Cholesky factorisation of a symmetric positive-definite matrix A + εI,
// where ε, the jitter, is the smallest of a few escalating levels that made A + εI
// numerically positive definite. A non-zero Jitter must be reported to the user: it
// means A itself is singular to working precision.
type Chol struct {
	mat.Cholesky
	Jitter float64
}

// NewChol factorises a, adding jitter to its diagonal when needed. It returns an error
// naming the largest jitter tried when even that fails, or when a has non-finite
// entries.
func NewChol(a mat.Symmetric) (*Chol, error) {
	n := a.SymmetricDim()
	var mean float64
	for i := 0; i < n; i++ {
		mean += a.At(i, i)
	}
	mean /= float64(n)
	if math.IsNaN(mean) || math.IsInf(mean, 0) {
		return nil, fmt.Errorf("likelihood: kernel matrix (%d×%d) has non-finite diagonal entries; check the features and hyperparameters", n, n)
	}
	if mean <= 0 {
		return nil, fmt.Errorf("likelihood: kernel matrix (%d×%d) has mean diagonal %g ≤ 0, so it cannot be positive definite", n, n, mean)
	}
	c := &Chol{}
	work := mat.NewSymDense(n, nil)
	for _, level := range jitterLevels {
		work.CopySym(a)
		eps := level * mean
		for i := 0; i < n; i++ {
			work.SetSym(i, i, work.At(i, i)+eps)
		}
		if c.Cholesky.Factorize(work) {
			c.Jitter = eps
			return c, nil
		}
	}
	last := jitterLevels[len(jitterLevels)-1]
	return nil, fmt.Errorf("likelihood: kernel matrix (%d×%d) is not positive definite even with jitter %.3g (%.0e of its mean diagonal): "+
		"check for non-finite or duplicated inputs, or raise the noise variance", n, n, last*mean, last)
}
