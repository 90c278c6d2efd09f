package likelihood

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Jackknife holds delete-a-block jackknife covariances of a spectral estimate θ̂ (in
// the objective's unconstrained coordinates).
//
// The Whittle curvature treats every unit-segment as independent. It is not: units
// share the network's input and the estimate of S_φ, and the particular coupling rows
// of the recorded units make Ī_y scatter around g² S_φ by more than the periodogram
// noise. The statistics form a units × segments grid of K × K blocks, and θ̂ behaves
// like the mean of a crossed design, cell = unit effect + time effect + noise, with
// variance σ_u²/K + σ_s²/K + σ_e²/K². Leaving out unit blocks (Units) estimates
// σ_u²/K + σ_e²/K², leaving out segment blocks (Segments) σ_s²/K + σ_e²/K²; their sum
// counts the noise twice. TwoWay removes the second count, estimated from the
// interaction of the K² fits with one unit block and one segment block left out:
// for a linear statistic the double-centred θ̂_(u,s), times (K−1)², is the cell's
// interaction residual. TwoWay is the recommended covariance; with K blocks it has
// about K−1 degrees of freedom, so build intervals with Student's t quantile for K−1.
type Jackknife struct {
	Units, Segments, TwoWay *mat.SymDense
	Blocks                  int // K, the number of blocks of each kind
}

// SpectralJackknife refits the spectral objective with blocks of units and of
// segments of st left out (Stats.Without; 2K + K² fits), with fit returning the
// maximising θ of an objective (package infer supplies it), and returns the jackknife
// covariances.
func SpectralJackknife(st *Stats, opt SpectralOptions, fit func(Objective) ([]float64, error)) (Jackknife, error) {
	K := len(st.Cells)
	if K < 2 {
		return Jackknife{}, fmt.Errorf("likelihood: the statistics have %d blocks; the jackknife needs at least 2 (StatsOptions.Blocks)", K)
	}
	refit := func(u, k int) ([]float64, error) {
		obj, err := NewSpectral(st.Without(u, k), opt)
		if err == nil {
			var th []float64
			if th, err = fit(obj); err == nil {
				return th, nil
			}
		}
		return nil, fmt.Errorf("likelihood: jackknife without unit block %d and segment block %d: %v", u, k, err)
	}
	jk := Jackknife{Blocks: K}
	rows, cols := make([][]float64, K), make([][]float64, K)
	both := make([][][]float64, K)
	for k := range K {
		var err error
		if rows[k], err = refit(k, -1); err != nil {
			return jk, err
		}
		if cols[k], err = refit(-1, k); err != nil {
			return jk, err
		}
		both[k] = make([][]float64, K)
		for s := range K {
			if both[k][s], err = refit(k, s); err != nil {
				return jk, err
			}
		}
	}
	jk.Units, jk.Segments = jackknifeCov(rows), jackknifeCov(cols)
	n := jk.Units.SymmetricDim()
	jk.TwoWay = mat.NewSymDense(n, nil)
	jk.TwoWay.AddSym(jk.Units, jk.Segments)
	noise := interactionCov(both)
	c := float64((K-1)*(K-1)) / float64(K*K)
	for i := range n {
		for j := i; j < n; j++ {
			jk.TwoWay.SetSym(i, j, jk.TwoWay.At(i, j)-c*noise.At(i, j))
		}
	}
	// The difference of estimates need not be positive semidefinite (nearly collinear
	// parameters give correlations just beyond ±1): clip negative eigenvalues. Then a
	// noise estimate larger than a one-way variance is sampling error: never report
	// less than the larger one-way jackknife, scaling rows and columns together so the
	// correlations stay.
	if err := clipPSD(jk.TwoWay); err != nil {
		return jk, err
	}
	for i := range n {
		floor := max(jk.Units.At(i, i), jk.Segments.At(i, i))
		if jk.TwoWay.At(i, i) < floor {
			scale := 0.0
			if old := jk.TwoWay.At(i, i); old > 0 {
				scale = math.Sqrt(floor / old)
			}
			for j := range n {
				if j != i {
					jk.TwoWay.SetSym(i, j, jk.TwoWay.At(i, j)*scale)
				}
			}
			jk.TwoWay.SetSym(i, i, floor)
		}
	}
	return jk, nil
}

// interactionCov returns Σ_{u,s} d_us d_usᵀ with d the double-centred θ_(u,s).
func interactionCov(th [][][]float64) *mat.SymDense {
	K, n := len(th), len(th[0][0])
	row, col, all := make([][]float64, K), make([][]float64, K), make([]float64, n)
	for u := range K {
		row[u], col[u] = make([]float64, n), make([]float64, n)
	}
	for u := range K {
		for s := range K {
			for j, v := range th[u][s] {
				row[u][j] += v / float64(K)
				col[s][j] += v / float64(K)
				all[j] += v / float64(K*K)
			}
		}
	}
	cov := mat.NewSymDense(n, nil)
	d := make([]float64, n)
	for u := range K {
		for s := range K {
			for j, v := range th[u][s] {
				d[j] = v - row[u][j] - col[s][j] + all[j]
			}
			for i := range n {
				for j := i; j < n; j++ {
					cov.SetSym(i, j, cov.At(i, j)+d[i]*d[j])
				}
			}
		}
	}
	return cov
}

// jackknifeCov returns (K−1)/K Σ_k (θ_k − θ̄)(θ_k − θ̄)ᵀ.
func jackknifeCov(thetas [][]float64) *mat.SymDense {
	K, n := len(thetas), len(thetas[0])
	mean := make([]float64, n)
	for _, th := range thetas {
		for j, v := range th {
			mean[j] += v / float64(K)
		}
	}
	cov := mat.NewSymDense(n, nil)
	c := float64(K-1) / float64(K)
	for _, th := range thetas {
		for i := range n {
			for j := i; j < n; j++ {
				cov.SetSym(i, j, cov.At(i, j)+c*(th[i]-mean[i])*(th[j]-mean[j]))
			}
		}
	}
	return cov
}

// clipPSD replaces the negative eigenvalues of c by zero.
func clipPSD(c *mat.SymDense) error {
	var es mat.EigenSym
	if !es.Factorize(c, true) {
		return fmt.Errorf("likelihood: eigendecomposition of the jackknife covariance failed")
	}
	vals := es.Values(nil)
	neg := false
	for k, v := range vals {
		if v < 0 {
			vals[k], neg = 0, true
		}
	}
	if !neg {
		return nil
	}
	var v mat.Dense
	es.VectorsTo(&v)
	n := len(vals)
	for i := range n {
		for j := i; j < n; j++ {
			var sum float64
			for k, l := range vals {
				sum += v.At(i, k) * l * v.At(j, k)
			}
			c.SetSym(i, j, sum)
		}
	}
	return nil
}
