package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Operator is a realised N×N coupling matrix J.
type Operator interface {
	// Dim returns N.
	Dim() int
	// Apply sets dst = J v, using up to workers goroutines. dst and v must not overlap.
	// The result does not depend on workers.
	Apply(dst, v []float64, workers int)
}

// Coupling generates the coupling matrix of a model.
type Coupling interface {
	// Build draws J for m from the random stream of seed, using up to workers goroutines;
	// the result does not depend on workers.
	Build(m *Model, seed uint64, workers int) (Operator, error)
	// String describes the generator, e.g. "sparse:p=0.1".
	String() string
}

// Realiser is implemented by operators whose realised properties differ from the
// model's nominal ones (e.g. the random-mode model's realised g and PR_D). The values go
// into Truth.Realised.
type Realiser interface {
	Realised() map[string]float64
}

// Streams of the seeded generators. Rows of couplings are drawn in blocks of rowBlock
// rows, each block from its own stream, so that generation can run in parallel and
// still give the same matrix for every worker count.
const (
	rowBlock       = 64
	streamCoupling = 0x636f75706c696e67 // "coupling"
	streamInit     = 0x696e6974         // "init"
	streamNoise    = 0x6e6f697365       // "noise"
	streamBlock    = 0x626c6f636b       // "block"
)

// blockRNG returns the generator of one block of a stream. The PCG state is hashed
// from (seed, stream, block) rather than set to consecutive values, so that the
// blocks' sequences share no linear structure.
func blockRNG(seed, stream uint64, block int) *rand.Rand {
	hi := splitmix(seed ^ splitmix(stream))
	lo := splitmix(hi ^ splitmix(uint64(block)+streamBlock))
	return rand.New(rand.NewPCG(hi, lo))
}

// splitmix is the SplitMix64 finaliser, a bijective 64-bit mixing function.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// parallel calls f on contiguous chunks [lo, hi) covering [0, n), at most workers at a
// time, and waits for all of them.
func parallel(n, workers int, f func(lo, hi int)) {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		if n > 0 {
			f(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		lo, hi := n*w/workers, n*(w+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

// Dense is a coupling matrix stored densely, row-major: J_ij = Data[i*N+j].
type Dense struct {
	N    int
	Data []float64
}

// Dim returns N.
func (d *Dense) Dim() int { return d.N }

// At returns J_ij.
func (d *Dense) At(i, j int) float64 { return d.Data[i*d.N+j] }

// Apply sets dst = J v, splitting the rows across workers.
func (d *Dense) Apply(dst, v []float64, workers int) {
	n := d.N
	x := blas64.Vector{N: n, Inc: 1, Data: v}
	parallel(n, workers, func(lo, hi int) {
		a := blas64.General{Rows: hi - lo, Cols: n, Stride: n, Data: d.Data[lo*n : hi*n]}
		blas64.Gemv(blas.NoTrans, 1, a, x, 0, blas64.Vector{N: hi - lo, Inc: 1, Data: dst[lo:hi]})
	})
}

// CSR is a sparse coupling matrix in compressed-sparse-row form: the non-zero entries of
// row i are Val[RowPtr[i]:RowPtr[i+1]] in the columns Col[RowPtr[i]:RowPtr[i+1]].
type CSR struct {
	N      int
	RowPtr []int
	Col    []int32
	Val    []float64
}

// Dim returns N.
func (c *CSR) Dim() int { return c.N }

// Apply sets dst = J v, splitting the rows across workers.
func (c *CSR) Apply(dst, v []float64, workers int) {
	parallel(c.N, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p0, p1 := c.RowPtr[i], c.RowPtr[i+1]
			dst[i] = sparseDot(c.Col[p0:p1], c.Val[p0:p1], v)
		}
	})
}

// sparseDot returns Σ_k vals[k]·v[cols[k]], with four independent partial sums so
// that the gathers overlap.
func sparseDot(cols []int32, vals []float64, v []float64) float64 {
	vals = vals[:len(cols)]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= len(cols); k += 4 {
		c, w := cols[k:k+4:k+4], vals[k:k+4:k+4]
		s0 += w[0] * v[c[0]]
		s1 += w[1] * v[c[1]]
		s2 += w[2] * v[c[2]]
		s3 += w[3] * v[c[3]]
	}
	for ; k < len(cols); k++ {
		s0 += vals[k] * v[cols[k]]
	}
	return (s0 + s1) + (s2 + s3)
}

// IID is the default generator: independent Gaussian couplings
// J_ij ~ N(J0_ab/N_b, g_ab²/N_b), stored densely.
type IID struct{}

func (IID) String() string { return "iid" }

// Build draws the dense matrix.
func (IID) Build(m *Model, seed uint64, workers int) (Operator, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	n := m.N()
	mean, sd := blockMoments(m)
	pop := popIndex(m)
	d := &Dense{N: n, Data: make([]float64, n*n)}
	nb := (n + rowBlock - 1) / rowBlock
	parallel(nb, workers, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			rng := blockRNG(seed, streamCoupling, b)
			for i := b * rowBlock; i < min(n, (b+1)*rowBlock); i++ {
				row := d.Data[i*n : (i+1)*n]
				mi, si := mean[pop[i]], sd[pop[i]]
				for j := range row {
					pj := pop[j]
					row[j] = mi[pj] + si[pj]*rng.NormFloat64()
				}
			}
		}
	})
	return d, nil
}

// Sparse draws each connection independently with probability P and gives it the
// weight N(J0_ab/(P N_b), g_ab²/(P N_b)), so that the mean coupling is J0_ab/N_b and its
// variance g_ab²/N_b + J0_ab²(1−P)/(P N_b²): g and J0 keep their meaning up to
// O(1/N²). The matrix is stored in CSR form.
type Sparse struct {
	P float64 // connection probability, 0 < P ≤ 1
}

func (s Sparse) String() string { return fmt.Sprintf("sparse:p=%g", s.P) }

// Build draws the sparse matrix.
func (s Sparse) Build(m *Model, seed uint64, workers int) (Operator, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if !(s.P > 0 && s.P <= 1) {
		return nil, fmt.Errorf("network: sparse connection probability p = %v; need 0 < p ≤ 1", s.P)
	}
	n := m.N()
	mean, sd := blockMoments(m)
	for a := range mean {
		for b := range mean[a] {
			mean[a][b] /= s.P
			sd[a][b] /= math.Sqrt(s.P)
		}
	}
	pop := popIndex(m)
	logq := math.Log1p(-s.P)
	nb := (n + rowBlock - 1) / rowBlock
	type part struct {
		cnt  []int
		col  []int32
		vals []float64
	}
	parts := make([]part, nb)
	parallel(nb, workers, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			rng := blockRNG(seed, streamCoupling, b)
			pt := &parts[b]
			for i := b * rowBlock; i < min(n, (b+1)*rowBlock); i++ {
				c0 := len(pt.col)
				mi, si := mean[pop[i]], sd[pop[i]]
				for j := geomSkip(rng, logq) - 1; j < n; j += geomSkip(rng, logq) {
					pj := pop[j]
					pt.col = append(pt.col, int32(j))
					pt.vals = append(pt.vals, mi[pj]+si[pj]*rng.NormFloat64())
				}
				pt.cnt = append(pt.cnt, len(pt.col)-c0)
			}
		}
	})
	c := &CSR{N: n, RowPtr: make([]int, n+1)}
	i := 0
	for _, pt := range parts {
		for _, k := range pt.cnt {
			c.RowPtr[i+1] = c.RowPtr[i] + k
			i++
		}
	}
	c.Col = make([]int32, 0, c.RowPtr[n])
	c.Val = make([]float64, 0, c.RowPtr[n])
	for _, pt := range parts {
		c.Col = append(c.Col, pt.col...)
		c.Val = append(c.Val, pt.vals...)
	}
	return c, nil
}

// geomSkip returns the distance (≥ 1) to the next connection when each is present with
// probability p = 1 − exp(logq).
func geomSkip(rng *rand.Rand, logq float64) int {
	if math.IsInf(logq, -1) {
		return 1
	}
	k := math.Floor(math.Log1p(-rng.Float64()) / logq)
	if k > math.MaxInt32 {
		return math.MaxInt32
	}
	return 1 + int(k)
}

// blockMoments returns the mean J0_ab/N_b and standard deviation g_ab/√N_b of the
// couplings from population b to population a.
func blockMoments(m *Model) (mean, sd [][]float64) {
	P := len(m.Pops)
	mean, sd = make([][]float64, P), make([][]float64, P)
	for a := range P {
		mean[a], sd[a] = make([]float64, P), make([]float64, P)
		for b, pb := range m.Pops {
			nb := float64(pb.N)
			mean[a][b] = m.j0(a, b) / nb
			sd[a][b] = math.Sqrt(m.G2[a][b] / nb)
		}
	}
	return mean, sd
}

// popIndex returns the population of every unit.
func popIndex(m *Model) []int32 {
	pop := make([]int32, 0, m.N())
	for a, p := range m.Pops {
		for range p.N {
			pop = append(pop, int32(a))
		}
	}
	return pop
}
