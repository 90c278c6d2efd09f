package network

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/ldfit/ldfit/models"
)

// DimStream computes the participation ratio of a recording delivered in time order,
// chunk by chunk (e.g. from data.Scan), in memory independent of its length: at most
// 2·Blocks+1 N×N sums. Time blocks start one sample long; whenever there are
// 2·Blocks of them, adjacent pairs are merged and the block length doubles, so at the
// end there are between Blocks and 2·Blocks blocks of equal length (but for those cut
// short by the end of a trial), which are grouped into Blocks adjacent groups.
//
// When the number of samples is Blocks·2^k in one trial, the blocks are exactly those
// of Participation and so are the estimates.
type DimStream struct {
	n, nb  int
	phi    models.Phi
	length int         // current block length
	shift  []float64   // provisional centre (mean of the first chunk), against cancellation
	done   []*dimBlock // closed blocks
	cur    *dimBlock   // block being filled
	buf    blas64.General
}

// dimBlock holds the sums over one time block of the shifted values: their count,
// Σx and Σxxᵀ (N×N).
type dimBlock struct {
	len int
	sum []float64
	sxx []float64
}

// NewDimStream returns a stream for n units; opt as for Participation.
func NewDimStream(n int, opt DimOptions) (*DimStream, error) {
	B := opt.Blocks
	if B == 0 {
		B = 10
	}
	if B < 3 {
		return nil, fmt.Errorf("network: participation ratio needs at least 3 time blocks for the jackknife, got %d", B)
	}
	if n < 1 {
		return nil, fmt.Errorf("network: participation ratio of %d units", n)
	}
	if need := float64(2*B+1) * float64(n) * float64(n) * 8; need > maxDimBytes {
		return nil, fmt.Errorf("network: participation ratio of %d units with %d blocks needs %.1f GB for the block sums; use fewer blocks or select units", n, B, need/1e9)
	}
	return &DimStream{n: n, nb: B, phi: opt.Phi, length: 1}, nil
}

// Add appends the next len samples of every unit; chunk is unit-major (unit i is
// chunk[i*len:(i+1)*len]).
func (d *DimStream) Add(chunk []float64, length int) error {
	if len(chunk) != d.n*length {
		return fmt.Errorf("network: chunk of %d values is not %d units × %d samples", len(chunk), d.n, length)
	}
	if length == 0 {
		return nil
	}
	if d.shift == nil {
		d.shift = make([]float64, d.n)
		for i := range d.shift {
			var s float64
			for _, v := range chunk[i*length : (i+1)*length] {
				s += apply(d.phi, v)
			}
			d.shift[i] = s / float64(length)
		}
	}
	for k := 0; k < length; {
		if d.cur == nil {
			d.cur = &dimBlock{sum: make([]float64, d.n), sxx: make([]float64, d.n*d.n)}
		}
		m := min(length-k, d.length-d.cur.len)
		d.accumulate(chunk, length, k, m)
		k += m
		if d.cur.len == d.length {
			d.close()
		}
	}
	return nil
}

// accumulate adds samples [k, k+m) of the chunk to the current block.
func (d *DimStream) accumulate(chunk []float64, length, k, m int) {
	if cap(d.buf.Data) < d.n*m {
		d.buf.Data = make([]float64, d.n*m)
	}
	x := blas64.General{Rows: d.n, Cols: m, Stride: m, Data: d.buf.Data[:d.n*m]}
	b := d.cur
	for i := range d.n {
		row := x.Data[i*m : (i+1)*m]
		var s float64
		for j, v := range chunk[i*length+k : i*length+k+m] {
			row[j] = apply(d.phi, v) - d.shift[i]
			s += row[j]
		}
		b.sum[i] += s
	}
	c := blas64.General{Rows: d.n, Cols: d.n, Stride: d.n, Data: b.sxx}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, x, x, 1, c)
	b.len += m
}

// close ends the current block, merging pairs when there are 2·Blocks of them.
func (d *DimStream) close() {
	if d.cur == nil || d.cur.len == 0 {
		return
	}
	d.done = append(d.done, d.cur)
	d.cur = nil
	if len(d.done) < 2*d.nb {
		return
	}
	for i := 0; i < len(d.done)/2; i++ {
		d.done[i] = d.done[2*i].merge(d.done[2*i+1])
	}
	d.done = d.done[:len(d.done)/2]
	d.length *= 2
}

// merge adds o into b and returns b.
func (b *dimBlock) merge(o *dimBlock) *dimBlock {
	b.len += o.len
	for i, v := range o.sum {
		b.sum[i] += v
	}
	for i, v := range o.sxx {
		b.sxx[i] += v
	}
	return b
}

// EndTrial marks the end of a trial: no block spans it.
func (d *DimStream) EndTrial() { d.close() }

// Dimension returns the estimates from the samples added so far.
func (d *DimStream) Dimension() (Dimension, error) {
	d.close()
	m := len(d.done)
	T := 0
	for _, b := range d.done {
		T += b.len
	}
	if m < d.nb || T < 2*d.nb {
		return Dimension{}, fmt.Errorf("network: participation ratio of %d samples: need at least %d samples for %d blocks", T, 2*d.nb, d.nb)
	}
	groups := make([]*dimBlock, d.nb)
	for g := range groups {
		lo, hi := g*m/d.nb, (g+1)*m/d.nb
		acc := &dimBlock{sum: make([]float64, d.n), sxx: make([]float64, d.n*d.n)}
		for _, b := range d.done[lo:hi] {
			acc.merge(b)
		}
		groups[g] = acc
	}
	mean := make([]float64, d.n)
	for _, b := range groups {
		for i, v := range b.sum {
			mean[i] += v / float64(T)
		}
	}
	// C_g = Σxxᵀ/T_g − m_g m̄ᵀ − m̄ m_gᵀ + m̄ m̄ᵀ with m_g = Σx/T_g.
	cs := make([][]float64, d.nb)
	t := make([]float64, d.nb)
	w := make([]float64, d.nb)
	for g, b := range groups {
		L := float64(b.len)
		c := b.sxx
		for i := range d.n {
			mi := b.sum[i] / L
			for j := range d.n {
				c[i*d.n+j] = c[i*d.n+j]/L - mi*mean[j] - mean[i]*b.sum[j]/L + mean[i]*mean[j]
			}
			t[g] += c[i*d.n+i]
		}
		cs[g], w[g] = c, L
	}
	if isZero(t) {
		return Dimension{}, fmt.Errorf("network: participation ratio of a recording whose units are all constant is undefined")
	}
	M := square(d.nb)
	nn := d.n * d.n
	for a := range d.nb {
		for b := a; b < d.nb; b++ {
			M[a][b] = blas64.Dot(blas64.Vector{N: nn, Inc: 1, Data: cs[a]}, blas64.Vector{N: nn, Inc: 1, Data: cs[b]})
			M[b][a] = M[a][b]
		}
	}
	return dimension(M, t, w, d.n, T), nil
}
