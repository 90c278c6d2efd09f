package likelihood

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/dsp/fourier"
)

func naiveDFT(z []complex128) []complex128 {
	n := len(z)
	out := make([]complex128, n)
	for f := range out {
		var s complex128
		for k, v := range z {
			ang := -2 * math.Pi * float64((f*k)%n) / float64(n)
			s += v * cmplx.Rect(1, ang)
		}
		out[f] = s
	}
	return out
}

func TestFFTMatchesNaiveDFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{2, 4, 8, 16, 32, 64, 128, 512} {
		p, err := newFFTPlan(n)
		if err != nil {
			t.Fatal(err)
		}
		z := make([]complex128, n)
		for k := range z {
			z[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		want := naiveDFT(z)
		p.transform(z)
		for f := range z {
			if d := cmplx.Abs(z[f] - want[f]); d > 1e-12*math.Sqrt(float64(n)) {
				t.Fatalf("n=%d f=%d: got %v want %v", n, f, z[f], want[f])
			}
		}
	}
}

func TestFFTMatchesGonum(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1024, 2048, 4096} {
		p, _ := newFFTPlan(n)
		g := fourier.NewCmplxFFT(n)
		z := make([]complex128, n)
		for k := range z {
			z[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		want := g.Coefficients(nil, z)
		p.transform(z)
		var maxd, maxv float64
		for f := range z {
			maxd = math.Max(maxd, cmplx.Abs(z[f]-want[f]))
			maxv = math.Max(maxv, cmplx.Abs(want[f]))
		}
		if maxd > 1e-13*maxv {
			t.Errorf("n=%d: max deviation %.3g relative to max %.3g", n, maxd, maxv)
		}
	}
}

func TestFFTPlanRejectsBadLength(t *testing.T) {
	for _, n := range []int{0, 1, 3, 100} {
		if _, err := newFFTPlan(n); err == nil {
			t.Errorf("length %d accepted", n)
		}
	}
}

func BenchmarkFFT4096(b *testing.B) {
	p, _ := newFFTPlan(4096)
	z := make([]complex128, 4096)
	for k := range z {
		z[k] = complex(float64(k%7), 1)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.transform(z)
	}
}

func BenchmarkGonumFFT4096(b *testing.B) {
	g := fourier.NewCmplxFFT(4096)
	z := make([]complex128, 4096)
	for k := range z {
		z[k] = complex(float64(k%7), 1)
	}
	out := make([]complex128, 4096)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.Coefficients(out, z)
	}
}

func TestFFTPermutedInput(t *testing.T) {
	for _, n := range []int{4, 8, 64, 128} {
		p, _ := newFFTPlan(n)
		z := make([]complex128, n)
		zp := make([]complex128, n)
		for k := range z {
			z[k] = complex(float64(k*k%7), float64(k%3))
			zp[p.perm[k]] = z[k]
		}
		want := naiveDFT(z)
		p.transformPermuted(zp)
		for f := range want {
			if cmplx.Abs(zp[f]-want[f]) > 1e-11 {
				t.Fatalf("n=%d f=%d: %v, want %v", n, f, zp[f], want[f])
			}
		}
	}
}

func TestFFTReIm(t *testing.T) {
	for _, n := range []int{2, 4, 8, 16, 64, 256} {
		p, _ := newFFTPlan(n)
		re, im := make([]float64, n), make([]float64, n)
		z := make([]complex128, n)
		for k := range re {
			re[k], im[k] = math.Cos(float64(k*k)), float64(k%5)
			z[k] = complex(re[k], im[k])
		}
		want := naiveDFT(z)
		p.transformReIm(z, re, im)
		for f := range want {
			if cmplx.Abs(z[f]-want[f]) > 1e-11 {
				t.Fatalf("n=%d f=%d: %v, want %v", n, f, z[f], want[f])
			}
		}
	}
}
