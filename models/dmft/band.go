package dmft

import "fmt"

// band is an n×n matrix with kl sub- and ku superdiagonals, row-major in the band:
// element (i, j) is at a[i*w + j − i + kl], w = kl + ku + 1.
type band struct {
	n, kl, ku int
	a         []float64
}

func newBand(n, kl, ku int) *band {
	return &band{n: n, kl: kl, ku: ku, a: make([]float64, n*(kl+ku+1))}
}

func (b *band) w() int { return b.kl + b.ku + 1 }

func (b *band) add(i, j int, v float64) {
	if j-i > b.ku || i-j > b.kl {
		panic(fmt.Sprintf("dmft: band entry (%d, %d) outside the band", i, j)) // a bug, not input
	}
	b.a[i*b.w()+j-i+b.kl] += v
}

func (b *band) clear() { clear(b.a) }

// factor replaces b by its LU factors without pivoting. The DMFT matrices are dominated
// by the diagonal of the second-difference operator, so no pivoting is needed; a zero
// pivot is reported.
func (b *band) factor() error {
	w := b.w()
	for k := 0; k < b.n; k++ {
		p := b.a[k*w+b.kl]
		if p == 0 {
			return fmt.Errorf("singular Jacobian at row %d", k)
		}
		for i := k + 1; i <= min(k+b.kl, b.n-1); i++ {
			ik := i*w + k - i + b.kl
			l := b.a[ik] / p
			if l == 0 {
				continue
			}
			b.a[ik] = l
			for j := k + 1; j <= min(k+b.ku, b.n-1); j++ {
				b.a[i*w+j-i+b.kl] -= l * b.a[k*w+j-k+b.kl]
			}
		}
	}
	return nil
}

// solve overwrites x with the solution of LU·x = x.
func (b *band) solve(x []float64) {
	w := b.w()
	for i := 0; i < b.n; i++ {
		s := x[i]
		for j := max(0, i-b.kl); j < i; j++ {
			s -= b.a[i*w+j-i+b.kl] * x[j]
		}
		x[i] = s
	}
	for i := b.n - 1; i >= 0; i-- {
		s := x[i]
		for j := i + 1; j <= min(i+b.ku, b.n-1); j++ {
			s -= b.a[i*w+j-i+b.kl] * x[j]
		}
		x[i] = s / b.a[i*w+b.kl]
	}
}
