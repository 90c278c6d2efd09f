package likelihood

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// NNLS returns the x ≥ 0 that minimises |Ax − b|₂, by the active-set algorithm of
// Lawson and Hanson (Solving Least Squares Problems, 1974, ch. 23). A must have at
// least as many rows as columns and full column rank on the variables that end up
// positive.
func NNLS(A mat.Matrix, b []float64) ([]float64, error) {
	m, n := A.Dims()
	if len(b) != m {
		return nil, fmt.Errorf("likelihood: NNLS with %d rows and %d right-hand sides", m, len(b))
	}
	x := make([]float64, n)
	passive := make([]bool, n)
	bv := mat.NewVecDense(m, append([]float64(nil), b...))
	w := mat.NewVecDense(n, nil)
	r := mat.NewVecDense(m, nil)
	gradient := func() { // w = Aᵀ(b − Ax)
		r.MulVec(A, mat.NewVecDense(n, x))
		r.SubVec(bv, r)
		w.MulVec(A.T(), r)
	}
	tol := 10 * float64(max(m, n)) * 2.2e-16 * mat.Norm(A, 1) * mat.Norm(bv, 2)
	for iter := 0; iter < 3*n+30; iter++ {
		gradient()
		best := -1
		for j := range n {
			if !passive[j] && w.AtVec(j) > tol && (best < 0 || w.AtVec(j) > w.AtVec(best)) {
				best = j
			}
		}
		if best < 0 {
			return x, nil
		}
		passive[best] = true
		for inner := 0; ; inner++ {
			z, err := lsPassive(A, bv, passive)
			if err != nil {
				return nil, err
			}
			// Step from x towards z, stopping where the first passive variable hits 0.
			alpha := 1.0
			for j := range n {
				if passive[j] && z[j] <= 0 {
					alpha = math.Min(alpha, x[j]/(x[j]-z[j]))
				}
			}
			for j := range n {
				if passive[j] {
					x[j] += alpha * (z[j] - x[j])
				}
			}
			if alpha == 1 {
				break
			}
			for j := range n {
				if passive[j] && x[j] <= tol {
					passive[j], x[j] = false, 0
				}
			}
			if inner > n+10 {
				return nil, fmt.Errorf("likelihood: NNLS did not converge; the design matrix may be rank deficient")
			}
		}
	}
	return nil, fmt.Errorf("likelihood: NNLS did not converge in %d iterations", 3*n+30)
}

// lsPassive solves the unconstrained least-squares problem on the passive columns and
// returns the solution spread to all n coordinates (zero elsewhere).
func lsPassive(A mat.Matrix, b *mat.VecDense, passive []bool) ([]float64, error) {
	m, n := A.Dims()
	var cols []int
	for j, p := range passive {
		if p {
			cols = append(cols, j)
		}
	}
	sub := mat.NewDense(m, len(cols), nil)
	for k, j := range cols {
		for i := range m {
			sub.Set(i, k, A.At(i, j))
		}
	}
	var qr mat.QR
	qr.Factorize(sub)
	var s mat.VecDense
	if err := qr.SolveVecTo(&s, false, b); err != nil {
		return nil, fmt.Errorf("likelihood: NNLS: columns %v of the design matrix are linearly dependent: %v", cols, err)
	}
	z := make([]float64, n)
	for k, j := range cols {
		z[j] = s.AtVec(k)
	}
	return z, nil
}
