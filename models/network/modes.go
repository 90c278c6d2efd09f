package network

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Spectrum is the shape of the mode strengths d_a of the random-mode model.
type Spectrum int

const (
	Flat        Spectrum = iota // d_a = c
	Exponential                 // d_a = c·e^{−βa/P}, a = 0..P−1
	PowerLaw                    // d_a = c·(a+1)^{−β}
)

func (s Spectrum) String() string {
	switch s {
	case Flat:
		return "flat"
	case Exponential:
		return "exp"
	case PowerLaw:
		return "power"
	}
	return fmt.Sprintf("Spectrum(%d)", int(s))
}

// ParseSpectrum returns the spectrum named "flat", "exp" or "power".
func ParseSpectrum(s string) (Spectrum, error) {
	switch s {
	case "flat":
		return Flat, nil
	case "exp", "exponential":
		return Exponential, nil
	case "power", "powerlaw", "power-law":
		return PowerLaw, nil
	}
	return 0, fmt.Errorf("network: unknown mode spectrum %q; use flat, exp or power", s)
}

// RandomMode generates the random-mode model of arXiv:2409.01969: J = L diag(d) Rᵀ with
// P = round(αN) modes, the columns l_a, r_a of L and R having iid N(0, 1/N) entries and
// left–right overlap ρ (l_a = √(1−|ρ|)x₁ + √|ρ|z, r_a = √(1−|ρ|)x₂ + sign(ρ)√|ρ|z).
// The strengths d_a follow Spectrum and are scaled so that (1/N)Σd_a² = g², with g² the
// model's G2[0][0]; then Var(J_ij) = g²/N when ρ = 0, as for iid couplings.
//
// The shape parameter is Beta (rate of the exponential spectrum, exponent of the power
// law); when PR > 0 instead, Beta is chosen so that the spectrum's participation ratio
// PR_D = (Σd²)²/Σd⁴ equals PR (1 ≤ PR ≤ P). The model must have one population; its J0
// adds the mean coupling J0/N.
//
// J is applied as L(d∘(Rᵀv)), O(NP) per product; it is formed (N² memory) only when
// FormDense is set.
type RandomMode struct {
	Alpha     float64
	Rho       float64
	Spectrum  Spectrum
	Beta      float64
	PR        float64
	FormDense bool
}

func (r RandomMode) String() string {
	s := fmt.Sprintf("random-mode:alpha=%g,rho=%g,spectrum=%v", r.Alpha, r.Rho, r.Spectrum)
	switch {
	case r.Spectrum != Flat && r.PR > 0:
		s += fmt.Sprintf(",PR=%g", r.PR)
	case r.Spectrum != Flat:
		s += fmt.Sprintf(",beta=%g", r.Beta)
	}
	return s
}

// Modes is a realised random-mode coupling J = L diag(D) Rᵀ + (J0/N)·11ᵀ.
type Modes struct {
	N, P int
	L    []float64 // N×P, row-major
	Rt   []float64 // P×N, row-major (Rᵀ)
	D    []float64 // mode strengths, P
	J0   float64
	beta float64
	w    []float64 // scratch, P
}

// Strengths returns the mode strengths d_a of spectrum s for P modes with shape
// parameter beta, scaled so that (1/n)Σd² = g2.
func Strengths(s Spectrum, p, n int, beta, g2 float64) []float64 {
	d := make([]float64, p)
	var ss float64
	for a := range d {
		switch s {
		case Flat:
			d[a] = 1
		case Exponential:
			d[a] = math.Exp(-beta * float64(a) / float64(p))
		case PowerLaw:
			d[a] = math.Pow(float64(a+1), -beta)
		}
		ss += d[a] * d[a]
	}
	c := math.Sqrt(g2 * float64(n) / ss)
	for a := range d {
		d[a] *= c
	}
	return d
}

// ModePR returns the participation ratio (Σd²)²/Σd⁴ of the strengths d.
func ModePR(d []float64) float64 {
	var s2, s4 float64
	for _, v := range d {
		s2 += v * v
		s4 += v * v * v * v
	}
	return s2 * s2 / s4
}

// shape returns the β that gives the spectrum PR_D = pr for p modes, by bisection
// (PR_D decreases from p at β = 0 towards 1).
func shape(s Spectrum, p int, pr float64) (float64, error) {
	if !(pr >= 1 && pr <= float64(p)) {
		return 0, fmt.Errorf("network: random-mode PR = %v must lie in [1, P = %d]; raise alpha or lower PR", pr, p)
	}
	lo, hi := 0.0, 1.0
	for ModePR(Strengths(s, p, 1, hi, 1)) > pr {
		lo, hi = hi, 2*hi
		if hi > 1e6 {
			return 0, fmt.Errorf("network: random-mode PR = %v is out of reach of the %v spectrum with P = %d modes", pr, s, p)
		}
	}
	for range 100 {
		mid := (lo + hi) / 2
		if ModePR(Strengths(s, p, 1, mid, 1)) > pr {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2, nil
}

// Build draws L, R and the strengths.
func (r RandomMode) Build(m *Model, seed uint64, workers int) (Operator, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(m.Pops) != 1 {
		return nil, fmt.Errorf("network: the random-mode coupling takes one population, the model has %d", len(m.Pops))
	}
	if !(r.Alpha > 0) || !(math.Abs(r.Rho) <= 1) || !(r.Beta >= 0) || !(r.PR >= 0) {
		return nil, fmt.Errorf("network: random-mode needs alpha > 0, |rho| ≤ 1, beta ≥ 0, PR ≥ 0; got alpha=%v rho=%v beta=%v PR=%v", r.Alpha, r.Rho, r.Beta, r.PR)
	}
	n := m.N()
	p := int(math.Round(r.Alpha * float64(n)))
	if p < 1 {
		return nil, fmt.Errorf("network: random-mode alpha = %v gives no mode for N = %d", r.Alpha, n)
	}
	beta := r.Beta
	if r.Spectrum == Flat {
		beta = 0
		if r.PR > 0 && math.Abs(r.PR-float64(p)) > 0.5 {
			return nil, fmt.Errorf("network: a flat spectrum has PR = P = %d, not %v; use spectrum=exp or power", p, r.PR)
		}
	} else if r.PR > 0 {
		var err error
		if beta, err = shape(r.Spectrum, p, r.PR); err != nil {
			return nil, err
		}
	}
	md := &Modes{N: n, P: p, L: make([]float64, n*p), Rt: make([]float64, p*n),
		D: Strengths(r.Spectrum, p, n, beta, m.G2[0][0]), J0: m.j0(0, 0), beta: beta, w: make([]float64, p)}
	sd := 1 / math.Sqrt(float64(n))
	cx, cz := math.Sqrt(1-math.Abs(r.Rho)), math.Sqrt(math.Abs(r.Rho))
	sz := math.Copysign(cz, r.Rho)
	nb := (p + rowBlock - 1) / rowBlock
	parallel(nb, workers, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			rng := blockRNG(seed, streamCoupling, b)
			for a := b * rowBlock; a < min(p, (b+1)*rowBlock); a++ {
				for i := range n {
					x1, x2, z := rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()
					md.L[i*p+a] = sd * (cx*x1 + cz*z)
					md.Rt[a*n+i] = sd * (cx*x2 + sz*z)
				}
			}
		}
	})
	if r.FormDense {
		return formed{md.Dense(workers), md.Realised()}, nil
	}
	return md, nil
}

// formed is a random-mode coupling formed densely, keeping its realised properties.
type formed struct {
	*Dense
	real map[string]float64
}

func (f formed) Realised() map[string]float64 { return f.real }

// Dim returns N.
func (md *Modes) Dim() int { return md.N }

// Apply sets dst = J v as L(d∘(Rᵀv)) + (J0/N)Σv. It uses scratch space in md, so one
// Modes must not be applied concurrently.
func (md *Modes) Apply(dst, v []float64, workers int) {
	n, p := md.N, md.P
	parallel(p, workers, func(lo, hi int) {
		a := blas64.General{Rows: hi - lo, Cols: n, Stride: n, Data: md.Rt[lo*n : hi*n]}
		w := blas64.Vector{N: hi - lo, Inc: 1, Data: md.w[lo:hi]}
		blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: n, Inc: 1, Data: v}, 0, w)
		for k := lo; k < hi; k++ {
			md.w[k] *= md.D[k]
		}
	})
	var mean float64
	if md.J0 != 0 {
		for _, x := range v {
			mean += x
		}
		mean *= md.J0 / float64(n)
	}
	parallel(n, workers, func(lo, hi int) {
		a := blas64.General{Rows: hi - lo, Cols: p, Stride: p, Data: md.L[lo*p : hi*p]}
		out := dst[lo:hi]
		for k := range out {
			out[k] = mean
		}
		blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: p, Inc: 1, Data: md.w}, 1, blas64.Vector{N: hi - lo, Inc: 1, Data: out})
	})
}

// Dense forms J explicitly.
func (md *Modes) Dense(workers int) *Dense {
	n, p := md.N, md.P
	ld := make([]float64, n*p)
	for i := range n {
		for a := range p {
			ld[i*p+a] = md.L[i*p+a] * md.D[a]
		}
	}
	j := &Dense{N: n, Data: make([]float64, n*n)}
	for i := range j.Data {
		j.Data[i] = md.J0 / float64(n)
	}
	parallel(n, workers, func(lo, hi int) {
		a := blas64.General{Rows: hi - lo, Cols: p, Stride: p, Data: ld[lo*p : hi*p]}
		b := blas64.General{Rows: p, Cols: n, Stride: n, Data: md.Rt}
		c := blas64.General{Rows: hi - lo, Cols: n, Stride: n, Data: j.Data[lo*n : hi*n]}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, b, 1, c)
	})
	return j
}

// Realised returns the realised g = √((1/N)Σd²), PR_D, the number of modes P and the
// shape parameter β.
func (md *Modes) Realised() map[string]float64 {
	var s2 float64
	for _, d := range md.D {
		s2 += d * d
	}
	return map[string]float64{"g": math.Sqrt(s2 / float64(md.N)), "PR_D": ModePR(md.D), "P": float64(md.P), "beta": md.beta}
}
