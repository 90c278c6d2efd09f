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
	tw3  []complex128 // e^{-3iπj/2h}, j < h, for the radix-4 pass of width h, at tw3[h-1 : 2h-1]
}

// newFFTPlan returns the plan for length n, which must be a power of two ≥ 2.
func newFFTPlan(n int) (*fftPlan, error) {
	if n < 2 || n&(n-1) != 0 {
		return nil, fmt.Errorf("likelihood: FFT length %d is not a power of two ≥ 2", n)
	}
	p := &fftPlan{n: n, perm: make([]int32, n), tw: make([]complex128, n-1), tw3: make([]complex128, n-1)}
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
			s, c = math.Sincos(-1.5 * math.Pi * float64(j) / float64(h))
			p.tw3[h-1+j] = complex(c, s)
		}
	}
	return p, nil
}

// transform replaces z (length n) by its discrete Fourier transform.
func (p *fftPlan) transform(z []complex128) {
	z = z[:p.n]
	for k, r := range p.perm {
		if int(r) > k {
			z[k], z[r] = z[r], z[k]
		}
	}
	p.transformPermuted(z)
}

// transformReIm stores in z the transform of re[k] + i·im[k], k < n. For n a power
// of four it reads the input in bit-reversed order inside the first, twiddle-free
// radix-4 pass, which saves the separate packing and permutation passes.
func (p *fftPlan) transformReIm(z []complex128, re, im []float64) {
	n := p.n
	if bits.TrailingZeros(uint(n))&1 == 1 || n < 4 {
		for k, r := range p.perm {
			z[r] = complex(re[k], im[k])
		}
		p.transformPermuted(z)
		return
	}
	z, re, im = z[:n], re[:n], im[:n]
	q := n / 4
	// Bit reversal sends positions 4m+j to perm[4m] + {0, n/2, n/4, 3n/4}[j].
	for m := range q {
		r := int(p.perm[4*m])
		x0, x1 := complex(re[r], im[r]), complex(re[r+2*q], im[r+2*q])
		x2, x3 := complex(re[r+q], im[r+q]), complex(re[r+3*q], im[r+3*q])
		a0, a1 := x0+x1, x0-x1
		b0, b1 := x2+x3, x2-x3
		b1 = complex(imag(b1), -real(b1))
		o := z[4*m : 4*m+4 : 4*m+4]
		o[0], o[2] = a0+b0, a0-b0
		o[1], o[3] = a1+b1, a1-b1
	}
	for h := 4; h < n; h <<= 2 {
		p.radix4(z, h)
	}
}

// transformPermuted is transform for input already stored in bit-reversed order
// (z[perm[k]] holding sample k), which lets a caller that fills z anyway skip the
// permutation pass.
func (p *fftPlan) transformPermuted(z []complex128) {
	n := p.n
	z = z[:n]
	h := 1
	// Radix-4 stages combine two radix-2 stages per pass over the data, halving the
	// memory traffic; a leading radix-2 stage handles odd log2(n).
	if bits.TrailingZeros(uint(n))&1 == 1 {
		for k := 0; k < n; k += 2 {
			a, b := z[k], z[k+1]
			z[k], z[k+1] = a+b, a-b
		}
		h = 2
	} else if n >= 4 {
		// The first radix-4 pass has twiddles 1 and −i only.
		for k := 0; k < n; k += 4 {
			q := z[k : k+4 : k+4]
			a0, a1 := q[0]+q[1], q[0]-q[1]
			b0, b1 := q[2]+q[3], q[2]-q[3]
			b1 = complex(imag(b1), -real(b1))
			q[0], q[2] = a0+b0, a0-b0
			q[1], q[3] = a1+b1, a1-b1
		}
		h = 4
	}
	for ; h < n; h <<= 2 {
		p.radix4(z, h)
	}
}

// radix4 combines four transforms of length h into one of length 4h (the work of the
// radix-2 stages of half-widths h and 2h). After the bit reversal the four quarters
// of a block hold the transforms of the samples with residues 0, 2, 1, 3 mod 4 of the
// block; with W = e^{-2πi/4h} and A_r the residue-r transform times W^{rj}, output j
// + mh is Σ_r A_r (−i)^{rm}: three twiddle products per butterfly instead of four.
func (p *fftPlan) radix4(z []complex128, h int) {
	w1 := p.tw[2*h-1 : 3*h-1] // W^j = e^{-iπj/2h}
	w2 := p.tw[h-1 : 2*h-1]   // W^{2j} = e^{-iπj/h}
	w3 := p.tw3[h-1 : 2*h-1]  // W^{3j}
	for base := 0; base < len(z); base += 4 * h {
		// Four quarter slices of equal length let the compiler drop bounds checks.
		q0 := z[base : base+h : base+h]
		q1 := z[base+h : base+2*h : base+2*h]
		q2 := z[base+2*h : base+3*h : base+3*h]
		q3 := z[base+3*h : base+4*h : base+4*h]
		q1, q2, q3 = q1[:len(q0)], q2[:len(q0)], q3[:len(q0)]
		t1, t2, t3 := w1[:len(q0)], w2[:len(q0)], w3[:len(q0)]
		for j := range q0 {
			a0, a1, a2, a3 := q0[j], q2[j]*t1[j], q1[j]*t2[j], q3[j]*t3[j]
			s02, d02 := a0+a2, a0-a2
			s13, d13 := a1+a3, a1-a3
			md := complex(imag(d13), -real(d13)) // −i·d13
			q0[j], q2[j] = s02+s13, s02-s13
			q1[j], q3[j] = d02+md, d02-md
		}
	}
}
