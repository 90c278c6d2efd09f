package kernel

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models"
)

// issueGram is the Gram matrix x·x'/d of the reference values.
var issueGram = mat.NewSymDense(3, []float64{1, .5, .2, .5, 1, .3, .2, .3, 1})

func TestClosedFormReferenceValues(t *testing.T) {
	for _, tc := range []struct {
		phi      models.Phi
		sw2, sb2 float64
		want     map[[2]int]float64
	}{
		{models.Erf{B: 1}, 1.5, 0.05, map[[2]int]float64{{0, 0}: 0.8686894142, {0, 1}: 0.4328279429, {0, 2}: 0.2138394130}},
		{models.ReLU{}, 2, 0.05, map[[2]int]float64{{0, 0}: 2.1, {0, 1}: 1.3151683009}},
	} {
		a := Arch{Kind: Deep, Depth: 1, Phi: tc.phi, SigmaW2: tc.sw2, SigmaB2: tc.sb2}
		k, err := FromGram(a, issueGram, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for ij, want := range tc.want {
			if got := k.K.At(ij[0], ij[1]); math.Abs(got-want) > 1e-9 {
				t.Errorf("%s: K¹%d%d = %.10f, want %.10f", a, ij[0]+1, ij[1]+1, got, want)
			}
		}
	}
}

// A one-layer tanh kernel by quadrature against a Monte Carlo average over 10⁶
// Gaussian pairs drawn from K⁰. The estimate uses erf(√π x/2), whose pair moment has a
// closed form (checked above), as a control variate: tanh differs from it by less
// than 0.02, so the standard error of F drops from 4e-4 to about 2e-5.
func TestTanhQuadratureAgainstMonteCarlo(t *testing.T) {
	a := Arch{Kind: Deep, Depth: 1, Phi: models.Tanh{}, SigmaW2: 1.5, SigmaB2: 0.05}
	k, err := FromGram(a, issueGram, Options{})
	if err != nil {
		t.Fatal(err)
	}
	k0 := func(i, j int) float64 { return a.SigmaW2*issueGram.At(i, j) + a.SigmaB2 }
	cv := models.Erf{B: math.Sqrt(math.Pi) / 2}
	rng := rand.New(rand.NewPCG(7, 8))
	const samples = 1_000_000
	for _, ij := range [][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 2}} {
		i, j := ij[0], ij[1]
		q1, q2, c := k0(i, i), k0(j, j), k0(i, j)
		l11 := math.Sqrt(q1)
		l21 := c / l11
		l22 := math.Sqrt(math.Max(q2-l21*l21, 0))
		var sum, sum2 float64
		for s := 0; s < samples; s++ {
			z1, z2 := rng.NormFloat64(), rng.NormFloat64()
			u, v := l11*z1, l21*z1+l22*z2
			r := math.Tanh(u)*math.Tanh(v) - cv.Eval(u)*cv.Eval(v)
			sum += r
			sum2 += r * r
		}
		mc := sum/samples + models.Pair(cv, q1, q2, c).F
		se := math.Sqrt((sum2/samples - (sum/samples)*(sum/samples)) / samples)
		f := (k.K.At(i, j) - a.SigmaB2) / a.SigmaW2
		if math.Abs(f-mc) > 5e-4 || se > 1e-4 {
			t.Errorf("tanh F%d%d = %.6f, Monte Carlo %.6f ± %.1g", i+1, j+1, f, mc, se)
		}
	}
}

// testPoints returns n seeded points with d features.
func testPoints(n, d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, n*d)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func variants() []Arch {
	erf, relu, tanh := models.Erf{B: 1}, models.ReLU{}, models.Tanh{}
	return []Arch{
		{Kind: Deep, Depth: 3, Phi: erf, SigmaW2: 1.7, SigmaB2: 0.2},
		{Kind: Deep, Depth: 2, Phi: tanh, SigmaW2: 1.3, SigmaB2: 0.1},
		{Kind: Recurrent, Depth: 3, Phi: relu, SigmaW2: 1.8, SigmaB2: 0.3, Input: EveryStep, Bias: Shared, Readout: Sum},
		{Kind: Recurrent, Depth: 4, Phi: erf, SigmaW2: 1.2, SigmaB2: 0.1, Input: EveryStep, Bias: Fresh, Readout: Last},
		{Kind: Recurrent, Depth: 3, Phi: erf, SigmaW2: 1.4, SigmaB2: 0.15, Input: FirstStep, Bias: Shared, Readout: Sum},
		{Kind: Recurrent, Depth: 2, Phi: tanh, SigmaW2: 1.1, SigmaB2: 0.2, Input: EveryStep, Bias: Fresh, Readout: Sum},
	}
}

// agreement is how closely two evaluations of a kernel must agree: to round-off for
// closed forms; for other φ, Compute sums a Hermite series (truncation error below
// 1e-12 per layer) while CrossTime integrates by two-dimensional quadrature.
func agreement(phi models.Phi) float64 {
	if closedForm(phi) {
		return 1e-12
	}
	return 1e-9
}

// Forward-mode derivatives of every entry against central finite differences.
func TestDerivativesAgainstFiniteDifferences(t *testing.T) {
	x := testPoints(5, 6, 3)
	for _, a := range variants() {
		k, err := Compute(a, x, 6, Options{Grad: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []struct {
			name string
			set  func(*Arch, float64)
			get  func(Arch) float64
			d    *mat.SymDense
		}{
			{"sw2", func(a *Arch, v float64) { a.SigmaW2 = v }, func(a Arch) float64 { return a.SigmaW2 }, k.DW},
			{"sb2", func(a *Arch, v float64) { a.SigmaB2 = v }, func(a Arch) float64 { return a.SigmaB2 }, k.DB},
		} {
			h := 1e-5 * p.get(a)
			up, dn := a, a
			p.set(&up, p.get(a)+h)
			p.set(&dn, p.get(a)-h)
			ku, _ := Compute(up, x, 6, Options{})
			kd, _ := Compute(dn, x, 6, Options{})
			for i := 0; i < 5; i++ {
				for j := i; j < 5; j++ {
					fd := (ku.K.At(i, j) - kd.K.At(i, j)) / (2 * h)
					if got := p.d.At(i, j); math.Abs(got-fd) > 1e-6*math.Max(math.Abs(fd), 1e-2) {
						t.Errorf("%s: ∂K%d%d/∂%s = %.10g, finite difference %.10g", a, i, j, p.name, got, fd)
					}
				}
			}
		}
	}
}

// The chain-by-chain evaluation of Compute against the matrix-by-matrix recursion of
// CrossTime followed by Output, for every kind of input, bias and readout.
func TestComputeMatchesCrossTimeRecursion(t *testing.T) {
	x := testPoints(4, 6, 5)
	for _, a := range variants() {
		k, err := Compute(a, x, 6, Options{})
		if err != nil {
			t.Fatal(err)
		}
		h, err := CrossTime(a, x, 6)
		if err != nil {
			t.Fatal(err)
		}
		r, err := Output(a, h)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			for j := 0; j < 4; j++ {
				if d := math.Abs(k.K.At(i, j) - r.At(i, j)); d > agreement(a.Phi) {
					t.Errorf("%s: K%d%d = %.15g from chains, %.15g from the time grid", a, i, j, k.K.At(i, j), r.At(i, j))
				}
			}
		}
	}
}

// With input at the first step, the equal-time hidden kernel of a recurrent net at
// step L+1 (weights tied) is the output kernel of a deep net of depth L (weights
// independent), and the recurrent output kernel with a last-step readout is the deep
// one; cross-time kernels are where the two differ.
func TestRecurrentEqualTimeIsDeep(t *testing.T) {
	x := testPoints(4, 5, 9)
	for _, phi := range []models.Phi{models.Erf{B: 1}, models.ReLU{}, models.Tanh{}} {
		for _, bias := range []Bias{Fresh, Shared} {
			const L = 4
			deep := Arch{Kind: Deep, Depth: L, Phi: phi, SigmaW2: 1.6, SigmaB2: 0.1}
			rec := deep
			rec.Kind, rec.Depth, rec.Bias = Recurrent, L+1, bias
			kd, err := Compute(deep, x, 5, Options{})
			if err != nil {
				t.Fatal(err)
			}
			h, err := CrossTime(rec, x, 5)
			if err != nil {
				t.Fatal(err)
			}
			rec.Depth = L
			kr, _ := Compute(rec, x, 5, Options{})
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					if d := math.Abs(kd.K.At(i, j) - h[L][L].At(i, j)); d > agreement(phi) {
						t.Errorf("%s bias %d: equal-time K%d%d differs from deep by %g", phi, bias, i, j, d)
					}
					if kd.K.At(i, j) != kr.K.At(i, j) {
						t.Errorf("%s: recurrent readout K%d%d = %v, deep %v", phi, i, j, kr.K.At(i, j), kd.K.At(i, j))
					}
				}
			}
			if bias == Shared && math.Abs(h[L][L-1].At(0, 1)) < 1e-3 {
				t.Errorf("%s: cross-time kernel %v should be far from 0 with tied weights", phi, h[L][L-1].At(0, 1))
			}
		}
	}
}

// Finite networks of width 2000 (20 networks, 10 layers or steps, erf) against the
// infinite-width kernel, for a few inputs.
func TestMonteCarloApproachesLimit(t *testing.T) {
	x := testPoints(3, 8, 11)
	for _, a := range []Arch{
		{Kind: Deep, Depth: 10, Phi: models.Erf{B: 1}, SigmaW2: 1.5, SigmaB2: 0.05},
		{Kind: Recurrent, Depth: 10, Phi: models.Erf{B: 1}, SigmaW2: 1.5, SigmaB2: 0.05},
	} {
		lim, err := Compute(a, x, 8, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mc, err := MonteCarlo(a, x, 8, MCOptions{Width: 2000, Networks: 20, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			for j := i; j < 3; j++ {
				rel := math.Abs(mc.At(i, j)-lim.K.At(i, j)) / lim.K.At(i, j)
				if rel > 0.03 {
					t.Errorf("%s: K%d%d Monte Carlo %.5f, limit %.5f (%.1f%%)", a, i, j, mc.At(i, j), lim.K.At(i, j), 100*rel)
				}
			}
		}
	}
}

// The cross-time kernel tensor of a recurrent net with shared biases and input at
// every step against sampled networks, within 4 standard errors of the network average.
func TestCrossTimeAgainstMonteCarlo(t *testing.T) {
	const d, nets = 8, 30
	x := testPoints(3, d, 13)
	a := Arch{Kind: Recurrent, Depth: 4, Phi: models.Erf{B: 1}, SigmaW2: 1.6, SigmaB2: 0.3, Input: EveryStep, Bias: Shared}
	want, err := CrossTime(a, x, d)
	if err != nil {
		t.Fatal(err)
	}
	var draws [][][]*mat.Dense
	for s := 0; s < nets; s++ {
		k, err := MonteCarloCrossTime(a, x, d, MCOptions{Width: 400, Networks: 1, Seed: uint64(100 + s)})
		if err != nil {
			t.Fatal(err)
		}
		draws = append(draws, k)
	}
	for tt := 0; tt < a.Depth; tt++ {
		for s := 0; s < a.Depth; s++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					var m, m2 float64
					for _, k := range draws {
						v := k[tt][s].At(i, j)
						m += v
						m2 += v * v
					}
					m /= nets
					se := math.Sqrt((m2/nets - m*m) / (nets - 1))
					// The finite-width bias is O(1/n); 0.01 covers it at n = 400.
					if diff := math.Abs(m - want[tt][s].At(i, j)); diff > 4*se+0.01 {
						t.Errorf("K^{%d,%d}_%d%d: Monte Carlo %.4f ± %.4f, recursion %.4f", tt+1, s+1, i, j, m, se, want[tt][s].At(i, j))
					}
				}
			}
		}
	}
}

func TestDeviationShrinksWithWidth(t *testing.T) {
	x := testPoints(3, 4, 17)
	a := Arch{Kind: Deep, Depth: 3, Phi: models.Erf{B: 1}, SigmaW2: 1.5, SigmaB2: 0.05}
	dev, err := Deviation(a, x, 4, []int{16, 1024}, 40, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !(dev[1] < dev[0]/4) {
		t.Errorf("deviation %v at widths 16, 1024: want a clear decrease", dev)
	}
}

func TestParse(t *testing.T) {
	as, err := Parse("deep:1..3,phi=relu,sw2=2,recurrent:T=2,input=every,bias=shared,readout=sum")
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 4 {
		t.Fatalf("got %d architectures, want 4", len(as))
	}
	want := []string{
		"deep:L=1,phi=relu,sw2=2,sb2=0.05",
		"deep:L=2,phi=relu,sw2=2,sb2=0.05",
		"deep:L=3,phi=relu,sw2=2,sb2=0.05",
		"recurrent:T=2,phi=erf,sw2=1.5,sb2=0.05,input=every,bias=shared,readout=sum",
	}
	for i, a := range as {
		if a.String() != want[i] {
			t.Errorf("arch %d = %q, want %q", i, a, want[i])
		}
		back, err := ParseArch(a.String())
		if err != nil || back != a {
			t.Errorf("%q does not round-trip: %v, %v", a, back, err)
		}
	}
	if a, _ := ParseArch("deep:L=2,phi=erf"); a.Phi != (models.Erf{B: 1}) {
		t.Errorf("phi=erf parsed as %v, want erf(x)", a.Phi)
	}
	for _, bad := range []string{"", "wide:3", "deep:0", "deep:3..1", "deep:L=x", "deep:phi=nope", "deep:input=every",
		"recurrent:readout=all", "deep:sw2=-1", "deep:color=red", "phi=erf"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", bad)
		} else if !strings.HasPrefix(err.Error(), "kernel: ") {
			t.Errorf("Parse(%q) error %q lacks the package prefix", bad, err)
		}
	}
}

func TestBadInput(t *testing.T) {
	a := Arch{Kind: Deep, Depth: 2, Phi: models.Erf{B: 1}, SigmaW2: 1, SigmaB2: 0.1}
	if _, err := Compute(a, []float64{1, math.NaN(), 3, 4}, 2, Options{}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN feature: error %v", err)
	}
	if _, err := Compute(a, []float64{1, 2, 3}, 2, Options{}); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := MonteCarlo(a, []float64{1, 2}, 2, MCOptions{}); err == nil {
		t.Error("zero width accepted")
	}
}

// The Hermite series against models.Pair's two-dimensional quadrature, including the
// diagonal ρ = ±1 and the derivatives.
func TestSeriesAgainstQuadrature(t *testing.T) {
	for _, phi := range []models.Phi{models.Tanh{}, models.Logistic{}} {
		for _, q := range [][2]float64{{1, 1}, {0.3, 2.5}, {3, 0.8}} {
			p1, p2 := expand(phi, q[0], 1), expand(phi, q[1], 1)
			terms := max(len(p1.a), len(p2.a))
			p1, p2 = expand(phi, q[0], terms), expand(phi, q[1], terms)
			if !p1.ok || !p2.ok {
				t.Fatalf("%s: series at q = %v did not converge", phi, q)
			}
			lim := math.Sqrt(q[0] * q[1])
			for _, c := range []float64{-lim, -0.4 * lim, 0, 0.7 * lim, lim} {
				got, want := seriesPair(&p1, &p2, c), models.Pair(phi, q[0], q[1], c)
				if f := seriesF(&p1, &p2, c); math.Abs(f-got.F) > 1e-15 {
					t.Errorf("%s q=%v c=%.3f: F alone %.17g, with derivatives %.17g", phi, q, c, f, got.F)
				}
				for _, v := range [][3]any{{"F", got.F, want.F}, {"DQ1", got.DQ1, want.DQ1}, {"DQ2", got.DQ2, want.DQ2}, {"DC", got.DC, want.DC}} {
					if math.Abs(v[1].(float64)-v[2].(float64)) > 1e-9 {
						t.Errorf("%s q=%v c=%.3f: %s = %.12g by series, %.12g by quadrature", phi, q, c, v[0], v[1], v[2])
					}
				}
			}
		}
	}
}
