package network

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// DimOptions control the participation-ratio estimate.
type DimOptions struct {
	// Blocks is the number of disjoint time blocks of the cross-block estimator and of
	// the jackknife; 0 means 10. Blocks should be much longer than the correlation time.
	Blocks int
	// Phi, when non-nil, makes the estimate that of φ(x) instead of x.
	Phi models.Phi
}

// Dimension is the participation ratio PR = (tr C)²/tr(C²) of the equal-time covariance
// C of a recording, estimated two ways, each with its jackknife standard error.
//
// Naive plugs in the sample covariance; its tr(C²) carries the positive finite-sample
// bias ≈ (tr C)²/T_eff, so it is biased low. Cross replaces tr(C²) and (tr C)² by their
// averages over pairs of disjoint time blocks a ≠ b, tr(C_a C_b) and tr C_a·tr C_b,
// whose expectations are exact when the blocks are independent.
type Dimension struct {
	N, T, Blocks    int
	Naive, NaiveSE  float64
	Cross, CrossSE  float64
	TraceC, TraceC2 float64 // cross-block estimates of tr C and tr(C²)
}

// maxDimBytes bounds the memory of the block covariances of Participation.
const maxDimBytes = 4 << 30

// Participation estimates the participation ratio of rec (of φ(x) when opt.Phi is set).
// Each unit is centred on its mean over the whole recording; time blocks never straddle
// trials. The work is done on the N×N block covariances when there are at least as
// many samples as units (memory 8·Blocks·N² bytes, refused beyond 4 GiB), otherwise on
// the T×T Gram matrix.
func Participation(rec *data.Recording, opt DimOptions) (Dimension, error) {
	B := opt.Blocks
	if B == 0 {
		B = 10
	}
	n, T := rec.N(), rec.Samples()
	if B < 3 {
		return Dimension{}, fmt.Errorf("network: participation ratio needs at least 3 time blocks for the jackknife, got %d", B)
	}
	if n < 1 || T < 2*B {
		return Dimension{}, fmt.Errorf("network: participation ratio of %d units × %d samples: need at least %d samples for %d blocks", n, T, 2*B, B)
	}
	blocks := timeBlocks(rec, B)
	if T >= n && float64(len(blocks))*float64(n)*float64(n)*8 > maxDimBytes {
		return Dimension{}, fmt.Errorf("network: participation ratio of %d units in %d blocks needs %.1f GB for the block covariances; use fewer blocks or select units", n, len(blocks), float64(len(blocks))*float64(n)*float64(n)*8/1e9)
	}
	mean := unitMeans(rec, opt.Phi)
	var M [][]float64
	var t []float64
	if T < n {
		M, t = gramTraces(rec, blocks, mean, opt.Phi)
	} else {
		M, t = covTraces(rec, blocks, mean, opt.Phi)
	}
	if t[0] == 0 && isZero(t) {
		return Dimension{}, fmt.Errorf("network: participation ratio of a recording whose units are all constant is undefined")
	}
	w := make([]float64, len(blocks))
	for b, bl := range blocks {
		w[b] = float64(bl.k1 - bl.k0)
	}
	return dimension(M, t, w, n, T), nil
}

// dimension returns the estimates from the block traces M_ab = tr(C_a C_b), t_a = tr C_a
// and the block lengths w.
func dimension(M [][]float64, t, w []float64, n, T int) Dimension {
	d := Dimension{N: n, T: T, Blocks: len(t)}
	d.Naive, _, _ = prFrom(M, t, w, -1, false)
	d.Cross, d.TraceC, d.TraceC2 = prFrom(M, t, w, -1, true)
	d.NaiveSE = jackknife(M, t, w, false)
	d.CrossSE = jackknife(M, t, w, true)
	return d
}

func isZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// block is the time range [k0, k1) of one trial.
type block struct{ trial, k0, k1 int }

// timeBlocks splits the trials into about B blocks of nearly equal length.
func timeBlocks(rec *data.Recording, B int) []block {
	T := rec.Samples()
	var bl []block
	for i, tr := range rec.Trials {
		nb := max(1, int(math.Round(float64(B)*float64(tr.Len)/float64(T))))
		nb = min(nb, tr.Len)
		for b := range nb {
			bl = append(bl, block{i, tr.Len * b / nb, tr.Len * (b + 1) / nb})
		}
	}
	return bl
}

func unitMeans(rec *data.Recording, phi models.Phi) []float64 {
	mean := make([]float64, rec.N())
	for _, tr := range rec.Trials {
		for i := range mean {
			for _, v := range tr.Unit(i) {
				mean[i] += apply(phi, v)
			}
		}
	}
	for i := range mean {
		mean[i] /= float64(rec.Samples())
	}
	return mean
}

func apply(phi models.Phi, v float64) float64 {
	if phi == nil {
		return v
	}
	return phi.Eval(v)
}

// centred returns the centred block as an N×len matrix, row-major.
func centred(rec *data.Recording, bl block, mean []float64, phi models.Phi) blas64.General {
	tr := rec.Trials[bl.trial]
	L := bl.k1 - bl.k0
	x := blas64.General{Rows: len(mean), Cols: L, Stride: L, Data: make([]float64, len(mean)*L)}
	for i, m := range mean {
		row := x.Data[i*L : (i+1)*L]
		for k, v := range tr.Unit(i)[bl.k0:bl.k1] {
			row[k] = apply(phi, v) - m
		}
	}
	return x
}

// covTraces returns M_ab = tr(C_a C_b) and t_a = tr C_a from the N×N block covariances.
func covTraces(rec *data.Recording, blocks []block, mean []float64, phi models.Phi) ([][]float64, []float64) {
	n, B := len(mean), len(blocks)
	cs := make([][]float64, B)
	t := make([]float64, B)
	for b, bl := range blocks {
		x := centred(rec, bl, mean, phi)
		c := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
		blas64.Gemm(blas.NoTrans, blas.Trans, 1/float64(x.Cols), x, x, 0, c)
		cs[b] = c.Data
		for i := range n {
			t[b] += c.Data[i*n+i]
		}
	}
	M := square(B)
	for a := range B {
		for b := a; b < B; b++ {
			M[a][b] = blas64.Dot(blas64.Vector{N: n * n, Inc: 1, Data: cs[a]}, blas64.Vector{N: n * n, Inc: 1, Data: cs[b]})
			M[b][a] = M[a][b]
		}
	}
	return M, t
}

// gramTraces returns the same as covTraces through the T×T Gram matrix G = XᵀX:
// tr(C_a C_b) = Σ_{k∈a,l∈b} G_kl²/(T_a T_b), tr C_a = Σ_{k∈a} G_kk/T_a.
func gramTraces(rec *data.Recording, blocks []block, mean []float64, phi models.Phi) ([][]float64, []float64) {
	n, B, T := len(mean), len(blocks), rec.Samples()
	x := blas64.General{Rows: n, Cols: T, Stride: T, Data: make([]float64, n*T)}
	start := make([]int, B+1)
	for b, bl := range blocks {
		xb := centred(rec, bl, mean, phi)
		L := xb.Cols
		start[b+1] = start[b] + L
		for i := range n {
			copy(x.Data[i*T+start[b]:i*T+start[b]+L], xb.Data[i*L:(i+1)*L])
		}
	}
	g := blas64.General{Rows: T, Cols: T, Stride: T, Data: make([]float64, T*T)}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, x, x, 0, g)
	M, t := square(B), make([]float64, B)
	for a := range B {
		La := float64(start[a+1] - start[a])
		for k := start[a]; k < start[a+1]; k++ {
			t[a] += g.Data[k*T+k] / La
		}
		for b := range B {
			var s float64
			for k := start[a]; k < start[a+1]; k++ {
				for _, v := range g.Data[k*T+start[b] : k*T+start[b+1]] {
					s += v * v
				}
			}
			M[a][b] = s / (La * float64(start[b+1]-start[b]))
		}
	}
	return M, t
}

func square(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
	}
	return m
}

// prFrom returns the participation ratio and the estimates of tr C and tr(C²) from the
// block traces, weighting block a by its length w_a and leaving out block skip (−1:
// none). With cross set it uses only pairs of different blocks.
func prFrom(M [][]float64, t, w []float64, skip int, cross bool) (pr, trC, trC2 float64) {
	var s1, s2, num, den float64
	for a := range t {
		if a == skip {
			continue
		}
		s1 += w[a] * t[a]
		for b := range t {
			if b == skip || (cross && a == b) {
				continue
			}
			num += w[a] * w[b] * t[a] * t[b]
			den += w[a] * w[b] * M[a][b]
		}
		s2 += w[a]
	}
	var norm float64
	if cross {
		for a := range t {
			for b := range t {
				if a != skip && b != skip && a != b {
					norm += w[a] * w[b]
				}
			}
		}
	} else {
		norm = s2 * s2
	}
	return num / den, s1 / s2, den / norm
}

// jackknife returns the delete-one-block jackknife standard error of the estimate.
func jackknife(M [][]float64, t, w []float64, cross bool) float64 {
	B := len(t)
	ps := make([]float64, B)
	var m float64
	for c := range B {
		ps[c], _, _ = prFrom(M, t, w, c, cross)
		m += ps[c] / float64(B)
	}
	var v float64
	for _, p := range ps {
		v += (p - m) * (p - m)
	}
	return math.Sqrt(v * float64(B-1) / float64(B))
}
