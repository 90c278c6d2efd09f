package network

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

func buildModes(t *testing.T, n int, g float64, r RandomMode) *Modes {
	t.Helper()
	m := Single(n, g, 0, tanhPhi{})
	op, err := r.Build(&m, 21, 2)
	if err != nil {
		t.Fatal(err)
	}
	return op.(*Modes)
}

func TestRandomModeNormalisation(t *testing.T) {
	for _, sp := range []Spectrum{Flat, Exponential, PowerLaw} {
		md := buildModes(t, 200, 1.7, RandomMode{Alpha: 0.5, Spectrum: sp, Beta: 1.5})
		var s2 float64
		for _, d := range md.D {
			s2 += d * d
		}
		if got := s2 / 200; math.Abs(got-1.7*1.7) > 1e-12 {
			t.Errorf("%v: (1/N)Σd² = %v, want g² = %v", sp, got, 1.7*1.7)
		}
		if md.P != 100 {
			t.Errorf("%v: P = %d, want 100", sp, md.P)
		}
	}
}

// Var(J_ij) = g²/N for ρ = 0, and (1/N)tr((JJᵀ)²) ≈ α<d⁴> + 2α²<d²>², which is 3g⁴ for
// a flat spectrum with α = 1. A single realisation of tr((JJᵀ)²) fluctuates by 2–3%,
// so both are averaged over twenty. The exact expectation at finite N, from the Wishart
// moments of LᵀL and RᵀR, is (1/N)Σd⁴(1 + 2/N + 3/N²) + (Σd²)²/N²·(2 + 1/N).
func TestRandomModeMoments(t *testing.T) {
	const n, g, reps = 300, 1.3, 20
	for _, r := range []RandomMode{
		{Alpha: 1, Spectrum: Flat},
		{Alpha: 0.5, Spectrum: Exponential, Beta: 2},
	} {
		var v, tr4, want, exact float64
		for s := range reps {
			m := Single(n, g, 0, tanhPhi{})
			op, err := r.Build(&m, uint64(s), 2)
			if err != nil {
				t.Fatal(err)
			}
			md := op.(*Modes)
			J := md.Dense(2)
			_, vs := meanVar(J.Data)
			v += vs / reps
			a := blas64.General{Rows: n, Cols: n, Stride: n, Data: J.Data}
			jj := blas64.General{Rows: n, Cols: n, Stride: n, Data: make([]float64, n*n)}
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, a, a, 0, jj)
			tr4 += blas64.Dot(blas64.Vector{N: n * n, Inc: 1, Data: jj.Data}, blas64.Vector{N: n * n, Inc: 1, Data: jj.Data}) / n / reps

			alpha, N := float64(md.P)/n, float64(n)
			var s2, s4 float64
			for _, d := range md.D {
				s2 += d * d
				s4 += d * d * d * d
			}
			d2, d4 := s2/float64(md.P), s4/float64(md.P)
			want += (alpha*d4 + 2*alpha*alpha*d2*d2) / reps
			exact += (s4/N*(1+2/N+3/N/N) + s2*s2/N/N*(2+1/N)) / reps
		}
		t.Logf("%v: Var(J_ij)·N/g² = %.4f; (1/N)tr((JJᵀ)²) = %.4f, α<d⁴>+2α²<d²>² = %.4f, finite-N %.4f", r, v*n/(g*g), tr4, want, exact)
		if w := g * g / n; math.Abs(v/w-1) > 0.02 {
			t.Errorf("%v: Var(J_ij) = %.5g, want g²/N = %.5g", r, v, w)
		}
		if math.Abs(tr4/want-1) > 0.03 || math.Abs(tr4/exact-1) > 0.025 {
			t.Errorf("%v: (1/N)tr((JJᵀ)²) = %.5g, want α<d⁴> + 2α²<d²>² = %.5g (finite N: %.5g)", r, tr4, want, exact)
		}
		if r.Spectrum == Flat && math.Abs(want-3*math.Pow(g, 4)) > 1e-9 {
			t.Errorf("flat α = 1: α<d⁴> + 2α²<d²>² = %v, want 3g⁴ = %v", want, 3*math.Pow(g, 4))
		}
	}
}

// For the exponential spectrum PR_D/P → tanh β/β as P → ∞; asking for PR_D gives it.
func TestRandomModeExponentialPR(t *testing.T) {
	for _, beta := range []float64{0.5, 2, 5} {
		p := 4000
		d := Strengths(Exponential, p, p, beta, 1)
		got, want := ModePR(d)/float64(p), math.Tanh(beta)/beta
		if math.Abs(got/want-1) > 2e-3 {
			t.Errorf("β = %v: PR_D/P = %.5f, want tanh β/β = %.5f", beta, got, want)
		}
	}
	md := buildModes(t, 300, 1, RandomMode{Alpha: 0.5, Spectrum: Exponential, PR: 40})
	re := md.Realised()
	if math.Abs(re["PR_D"]-40) > 1e-6 || math.Abs(re["g"]-1) > 1e-12 || re["P"] != 150 {
		t.Errorf("realised %v, want PR_D = 40, g = 1, P = 150", re)
	}
	pw := buildModes(t, 300, 1, RandomMode{Alpha: 0.5, Spectrum: PowerLaw, PR: 10})
	if math.Abs(ModePR(pw.D)-10) > 1e-6 {
		t.Errorf("power law: PR_D = %v, want 10", ModePR(pw.D))
	}
}

// The overlap ρ makes corresponding left and right vectors correlated: l_a·r_a ≈ ρ.
func TestRandomModeOverlap(t *testing.T) {
	for _, rho := range []float64{0, 0.4, -0.7} {
		md := buildModes(t, 500, 1, RandomMode{Alpha: 0.2, Rho: rho})
		var c float64
		for a := range md.P {
			for i := range md.N {
				c += md.L[i*md.P+a] * md.Rt[a*md.N+i]
			}
		}
		c /= float64(md.P)
		// Each overlap has standard deviation about √(1/N); averaged over P modes.
		if se := math.Sqrt(1 / float64(md.N*md.P)); math.Abs(c-rho) > 5*se {
			t.Errorf("ρ = %v: mean l·r = %.4f", rho, c)
		}
	}
}

// The O(NP) product agrees with the formed matrix, for any worker count.
func TestModesApply(t *testing.T) {
	m := Single(123, 1.1, 0, tanhPhi{})
	m.J0 = [][]float64{{0.8}}
	op, err := RandomMode{Alpha: 0.7, Rho: 0.3, Spectrum: Exponential, Beta: 1}.Build(&m, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	md := op.(*Modes)
	J := md.Dense(3)
	v := make([]float64, 123)
	for i := range v {
		v[i] = math.Cos(float64(3 * i))
	}
	for _, w := range []int{1, 2, 4} {
		dst := make([]float64, 123)
		md.Apply(dst, v, w)
		for i := range dst {
			var s float64
			for j := range v {
				s += J.At(i, j) * v[j]
			}
			if math.Abs(s-dst[i]) > 1e-12 {
				t.Fatalf("%d workers, row %d: %v, want %v", w, i, dst[i], s)
			}
		}
	}
}

func TestRandomModeBadInput(t *testing.T) {
	m := Single(100, 1, 0, tanhPhi{})
	for _, r := range []RandomMode{
		{Alpha: 0},
		{Alpha: 1, Rho: 1.5},
		{Alpha: 0.5, Spectrum: Exponential, PR: 80},
		{Alpha: 0.5, Spectrum: Flat, PR: 10},
	} {
		if _, err := r.Build(&m, 1, 1); err == nil {
			t.Errorf("%v: no error", r)
		}
	}
	two := twoPops(RandomMode{Alpha: 1})
	if _, err := (RandomMode{Alpha: 1}).Build(&two, 1, 1); err == nil {
		t.Error("two populations: no error")
	}
}
