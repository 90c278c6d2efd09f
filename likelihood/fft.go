package likelihood

import (
	"fmt"
	"math"
	"math/bits"
)

// fftPlan is a complex discrete Fourier transform of one power-of-two length,
// Z[f] = Σ_k z[k] e^{-2πi fk/n}, with its bit-reversal permutation and twiddle factors
// computed once. A plan is read-only after construction, so workers share it; the
// transform works in place and allocates nothing.
type fftPlan struct {
	n    int
	perm []int32      // perm[k] = bit reversal of k; only pairs k < perm[k] are swapped
	tw   []complex128 // twiddles of all stages, stage with half-width h at tw[h-1 : 2h-1]
}

// newFFTPlan returns the plan for length n, which must be a power of two ≥ 2.
func newFFTPlan(n int) (*fftPlan, error) {
	if n < 2 || n&(n-1) != 0 {
		return nil, fmt.Errorf("likelihood: FFT length %d is not a power of two ≥ 2", n)
	}
	p := &fftPlan{n: n, perm: make([]int32, n), tw: make([]complex128, n-1)}
	shift := 64 - bits.TrailingZeros(uint(n))
	for k := range p.perm {
		p.perm[k] = int32(bits.Reverse64(uint64(k)) >> shift)
	}
	// Twiddles from the angle directly (not by repeated multiplication) keep every
	// factor correctly rounded, which keeps the transform's error at O(ε log n).
	for h := 1; h < n; h <<= 1 {
		for j := 0; j < h; j++ {
			s, c := math.Sincos(-math.Pi * float64(j) / float64(h))
			p.tw[h-1+j] = complex(c, s)
		}
	}
	return p, nil
}

// transform replaces z (length n) by its discrete Fourier transform.
func (p *fftPlan) transform(z []complex128) {
	n := p.n
	z = z[:n]
	for k, r := range p.perm {
		if int(r) > k {
			z[k], z[r] = z[r], z[k]
		}
	}
	h := 1
	// Radix-4 stages combine two radix-2 stages per pass over the data, halving the
	// memory traffic; a leading radix-2 stage handles odd log2(n).
	if bits.TrailingZeros(uint(n))&1 == 1 {
		for k := 0; k < n; k += 2 {
			a, b := z[k], z[k+1]
			z[k], z[k+1] = a+b, a-b
		}
		h = 2
	}
	for ; h < n; h <<= 2 {
		p.radix4(z, h)
	}
}

// radix4 performs the two radix-2 stages of half-widths h and 2h at once.
func (p *fftPlan) radix4(z []complex128, h int) {
	w1 := p.tw[h-1 : 2*h-1]   // stage h: e^{-iπ j/h}
	w2 := p.tw[2*h-1 : 4*h-1] // stage 2h: e^{-iπ j/2h}
	for base := 0; base < len(z); base += 4 * h {
		q := z[base : base+4*h : base+4*h]
		for j := 0; j < h; j++ {
			t1 := w1[j]
			ta := w2[j]
			tb := w2[j+h]
			x0, x1 := q[j], q[j+h]*t1
			x2, x3 := q[j+2*h], q[j+3*h]*t1
			a0, a1 := x0+x1, x0-x1
			b0, b1 := x2+x3, x2-x3
			b0 *= ta
			b1 *= tb
			q[j], q[j+2*h] = a0+b0, a0-b0
			q[j+h], q[j+3*h] = a1+b1, a1-b1
		}
	}
}
