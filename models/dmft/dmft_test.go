package dmft

import (
	"errors"
	"math"
	"testing"

	"github.com/ldfit/ldfit/models"
)

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func solve(t *testing.T, net Network, opt Options) *Solution {
	t.Helper()
	sol, err := Solve(net, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sol
}

// TestPublishedValues checks the continuous-time DMFT against the values of issue 3
// (relative error ≤ 1e-5).
func TestPublishedValues(t *testing.T) {
	for _, c := range []struct {
		phi             models.Phi
		g, D            float64
		delta0, slope   float64
		lambda, lambdaE float64
	}{
		{models.Tanh{}, 1.5, 0, 0.7476864, 0.6579065, 0, 0},
		{models.Tanh{}, 2, 0, 1.9248054, 0.4868219, 0.22807, 1e-5},
		{models.Tanh{}, 3, 0, 5.4463261, 0.3194205, 0, 0},
		{models.ErfUnitSlope, 2, 0, 2.0640800, 0.4855142, 0, 0},
		{models.Tanh{}, 2, 0.5, 2.0919855, 0, 0, 0},
	} {
		sol := solve(t, Single(c.phi, c.g, c.D), Options{})
		p := sol.Pops[0]
		if e := relErr(p.Delta0, c.delta0); e > 1e-5 {
			t.Errorf("%s g = %g D = %g: Δ0 = %.8f, want %.7f", c.phi, c.g, c.D, p.Delta0, c.delta0)
		}
		if c.slope != 0 && relErr(p.Slope, c.slope) > 1e-5 {
			t.Errorf("%s g = %g: <φ'> = %.8f, want %.7f", c.phi, c.g, p.Slope, c.slope)
		}
		if c.lambda != 0 && relErr(sol.Lambda, c.lambda) > 2e-5 {
			t.Errorf("%s g = %g: λ = %.7f, want %.5f", c.phi, c.g, sol.Lambda, c.lambda)
		}
		// The tail rate is √(1 − g²<φ'>²) for odd φ without mean input.
		if want := math.Sqrt(1 - c.g*c.g*p.Slope*p.Slope); relErr(sol.Lambda, want) > 1e-6 {
			t.Errorf("%s g = %g: λ = %.8f, √(1 − g²<φ'>²) = %.8f", c.phi, c.g, sol.Lambda, want)
		}
		if p.Mean != 0 || math.Abs(p.Rate) > 1e-14 || math.Abs(p.DeltaInf) > 1e-9*p.Delta0 {
			t.Errorf("%s g = %g: mean %g, rate %g, Δ(∞) = %g; want 0", c.phi, c.g, p.Mean, p.Rate, p.DeltaInf)
		}
	}
}

// TestEnergyCondition checks Δ0² = D² + 2g²(E[Φ²] − E[Φ]²) for odd φ, where E[Φ²] is
// over one field of variance Δ0 and E[Φ]² = E[Φ(u)Φ(v)] for independent u, v: the
// potential at Δ = Δ0 and at Δ = 0 of the Newtonian particle Δ″ = −∂V/∂Δ.
func TestEnergyCondition(t *testing.T) {
	for _, c := range []struct {
		phi  models.Phi
		g, D float64
		tol  float64
	}{
		{models.Tanh{}, 1.5, 0, 1e-7}, {models.Tanh{}, 3, 0, 1e-7}, {models.Tanh{}, 2, 0.5, 1e-7},
		{models.ErfUnitSlope, 2.5, 0.3, 1e-7},
		// With noise, sign's C_φφ has a √s cusp at s = 0 that the lag scheme resolves
		// only to O(h^1.5): 2e-4 at the default spacing.
		{models.Sign{}, 1.5, 0.5, 5e-4},
	} {
		p := solve(t, Single(c.phi, c.g, c.D), Options{}).Pops[0]
		m := models.Expect(c.phi, models.Gauss{Var: p.Delta0})
		rhs := c.D*c.D + 2*c.g*c.g*(m.Anti2-m.Anti*m.Anti)
		if e := relErr(p.Delta0*p.Delta0, rhs); e > c.tol {
			t.Errorf("%s g = %g D = %g: Δ0² = %.10f, D² + 2g²(E[Φ²] − E[Φ]²) = %.10f", c.phi, c.g, c.D, p.Delta0*p.Delta0, rhs)
		}
	}
}

// TestNoCoupling checks Δ(s) = D e^{−|s|} at g = 0, on and off the grid, in continuous
// time, and the Euler map's exact AR(1) autocovariance.
func TestNoCoupling(t *testing.T) {
	sol := solve(t, Single(models.Tanh{}, 0, 0.5), Options{})
	for k, s := range sol.Lags[:2000] { // on the grid: exact to rounding
		if got, want := sol.Pops[0].Delta[k], 0.5*math.Exp(-s); math.Abs(got-want) > 1e-13 {
			t.Fatalf("Δ(%g) = %.15f, want %.15f", s, got, want)
		}
	}
	for _, s := range []float64{0.01, 0.3, 1, 2.7, 10, -1.3} { // between: sixth-order interpolation
		if got, want := sol.Pops[0].At(s), 0.5*math.Exp(-math.Abs(s)); math.Abs(got-want) > 1e-11 {
			t.Errorf("Δ(%g) = %.14f, want %.14f", s, got, want)
		}
	}
	if relErr(sol.Pops[0].CorrTime, 1) > 1e-8 {
		t.Errorf("correlation time %.10f, want 1", sol.Pops[0].CorrTime)
	}
	// With τ = 2, D stays the variance: Δ(s) = D e^{−|s|/τ}; the Euler map with
	// α = a/τ has variance D/(1 − α/2).
	slow := Network{Pops: []Population{{Phi: models.Tanh{}, Tau: 2, D: 0.3}}, G: [][]float64{{0}}}
	if got, want := solve(t, slow, Options{}).Pops[0].At(1.7), 0.3*math.Exp(-1.7/2); math.Abs(got-want) > 1e-11 {
		t.Errorf("τ = 2: Δ(1.7) = %.14f, want %.14f", got, want)
	}
	if got, want := solve(t, slow, Options{Step: 0.1}).Pops[0].Delta0, 0.3/(1-0.05/2); math.Abs(got-want) > 1e-13 {
		t.Errorf("τ = 2, Euler map: Δ0 = %.15f, want %.15f", got, want)
	}
	// x[k+1] = (1−a)x[k] + √(2Da)ε: Var = 2Da/(1 − (1−a)²), Δ[n] = Var·(1−a)^n.
	a := 0.1
	disc := solve(t, Single(models.Tanh{}, 0, 0.5), Options{Step: a})
	v := 2 * 0.5 * a / (1 - (1-a)*(1-a))
	for n := range 30 {
		if got, want := disc.Pops[0].Delta[n], v*math.Pow(1-a, float64(n)); math.Abs(got-want) > 1e-12 {
			t.Errorf("Euler map Δ[%d] = %.14f, want %.14f", n, got, want)
		}
	}
}

// TestSpectralIdentity checks (1 + ω²)S_x = g²S_φ + 2D on the solver's frequencies in
// continuous time, and the Euler map's exact form.
func TestSpectralIdentity(t *testing.T) {
	sol := solve(t, Single(models.Tanh{}, 2, 0.5), Options{})
	f, sx, sphi := sol.Spectra(0)
	for j := range f {
		if f[j] > 0.5 {
			break
		}
		w := 2 * math.Pi * f[j]
		lhs, rhs := (1+w*w)*sx[j], 4*sphi[j]+1
		if math.Abs(lhs-rhs) > 1e-6*rhs {
			t.Fatalf("f = %g: (1 + ω²)S_x = %.10g, g²S_φ + 2D = %.10g", f[j], lhs, rhs)
		}
	}
	a := 0.05
	disc := solve(t, Single(models.Tanh{}, 2, 0.5), Options{Step: a})
	f, sx, sphi = disc.Spectra(0)
	for j := range f {
		w := 2 * math.Pi * f[j] * a
		lhs := (1 + (1-a)*(1-a) - 2*(1-a)*math.Cos(w)) * sx[j]
		rhs := a * a * (4*sphi[j] + 1)
		if math.Abs(lhs-rhs) > 1e-9*a*a {
			t.Fatalf("Euler map f = %g: |e^{iω} − b|²S_x = %.12g, a²(g²S_φ + 2D) = %.12g", f[j], lhs, rhs)
		}
	}
}

// TestEulerMapConverges checks that the Euler-map DMFT approaches the continuous one
// as the step shrinks, with an error of first order in the step.
func TestEulerMapConverges(t *testing.T) {
	cont := solve(t, Single(models.Tanh{}, 1.5, 0.5), Options{}).Pops[0].Delta0
	var prev float64
	for i, a := range []float64{0.2, 0.1, 0.05} {
		d := solve(t, Single(models.Tanh{}, 1.5, 0.5), Options{Step: a}).Pops[0].Delta0
		err := math.Abs(d - cont)
		if i > 0 && math.Abs(err/prev-0.5) > 0.1 {
			t.Errorf("step %g: error %.3g, previous %.3g: not first order", a, err, prev)
		}
		prev = err
	}
}

// TestMagneticInstability checks J0 > 0, μ = 0: m = 0 below J0·<φ'> = 1 and an ordered
// state above, with m = E[φ(J0·m + √Δ0 z)].
func TestMagneticInstability(t *testing.T) {
	net := Single(models.Tanh{}, 1.5, 0.2)
	base := solve(t, net, Options{}).Pops[0]
	below := 0.8 / base.Slope
	net.J0 = [][]float64{{below}}
	p := solve(t, net, Options{}).Pops[0]
	if math.Abs(p.Rate) > 1e-9 || p.Magnetic >= 1 {
		t.Errorf("J0 = %g: m = %g, J0<φ'> = %g; want m = 0 below the instability", below, p.Rate, p.Magnetic)
	}
	net.J0 = [][]float64{{2.5 / base.Slope}}
	q := solve(t, net, Options{}).Pops[0]
	if q.Rate < 0.1 {
		t.Fatalf("J0 = %g: m = %g, want an ordered state", net.J0[0][0], q.Rate)
	}
	self := models.Expect(models.Tanh{}, models.Gauss{Mean: net.J0[0][0] * q.Rate, Var: q.Delta0}).Phi
	if math.Abs(self-q.Rate) > 1e-10 {
		t.Errorf("m = %.12f, E[φ(J0·m + √Δ0 z)] = %.12f", q.Rate, self)
	}
	if q.DeltaInf <= 0 {
		t.Errorf("ordered state: Δ(∞) = %g, want > 0 (static input from the quenched couplings)", q.DeltaInf)
	}
}

// TestPopulations checks that two identical populations with couplings g/√2 each
// behave as one population with coupling g, and that a bias with ReLU converges to a
// state satisfying the mean equation.
func TestPopulations(t *testing.T) {
	oneSol := solve(t, Single(models.Tanh{}, 2, 0.5), Options{})
	one := oneSol.Pops[0]
	g := 2 / math.Sqrt2
	pop := Population{Phi: models.Tanh{}, Tau: 1, D: 0.5}
	two := solve(t, Network{Pops: []Population{pop, pop}, G: [][]float64{{g, g}, {g, g}}}, Options{})
	for a := range 2 {
		if relErr(two.Pops[a].Delta0, one.Delta0) > 1e-9 {
			t.Errorf("population %d: Δ0 = %.10f, single population %.10f", a, two.Pops[a].Delta0, one.Delta0)
		}
	}
	// τ = 2 is the τ = 1 solution with lags stretched by 2 (D is a variance).
	slow := solve(t, Network{Pops: []Population{{Phi: models.Tanh{}, Tau: 2, D: 0.5}}, G: [][]float64{{2}}}, Options{})
	for _, s := range []float64{0, 1.3, 7} {
		if got, want := slow.Pops[0].At(2*s), one.At(s); relErr(got, want) > 1e-7 {
			t.Errorf("τ = 2: Δ(%g) = %.10f, τ = 1: Δ(%g) = %.10f", 2*s, got, s, want)
		}
	}
	if relErr(slow.Lambda, oneSol.Lambda/2) > 1e-7 {
		t.Errorf("τ = 2: λ = %g, want %g", slow.Lambda, oneSol.Lambda/2)
	}
	relu := solve(t, Network{Pops: []Population{{Phi: models.ReLU{}, Tau: 1, D: 0.1, Mu: -0.2}},
		G: [][]float64{{1.2}}, J0: [][]float64{{-0.5}}}, Options{})
	p := relu.Pops[0]
	want := -0.2 - 0.5*models.Expect(models.ReLU{}, models.Gauss{Mean: p.Mean, Var: p.Delta0}).Phi
	if math.Abs(p.Mean-want) > 1e-10 {
		t.Errorf("ReLU: M = %.12f, μ + J0·m = %.12f", p.Mean, want)
	}
}

// TestLyapunov checks the Lyapunov exponent against κ = g·φ'(0) − 1 where C_φ'φ' is
// constant (linear φ; tanh below the edge without noise, where Δ ≡ 0), and that noise
// moves the chaos edge of tanh above g = 1.
func TestLyapunov(t *testing.T) {
	for _, c := range []struct {
		phi  models.Phi
		g, D float64
	}{{models.Linear{}, 0.5, 0.3}, {models.Linear{}, 0.9, 1}, {models.Tanh{}, 0.7, 0}} {
		k, err := solve(t, Single(c.phi, c.g, c.D), Options{}).Lyapunov()
		if err != nil {
			t.Fatal(err)
		}
		if want := c.g - 1; math.Abs(k-want) > 1e-3 {
			t.Errorf("%s g = %g D = %g: κ = %.6f, want %.6f", c.phi, c.g, c.D, k, want)
		}
	}
	k, _ := solve(t, Single(models.Tanh{}, 2, 0), Options{}).Lyapunov()
	if k <= 0 {
		t.Errorf("tanh g = 2, D = 0: κ = %g, want chaos (κ > 0)", k)
	}
	if testing.Short() {
		return
	}
	edge, err := ChaosEdge(models.Tanh{}, 0.5, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if edge <= 1.05 || edge > 3 {
		t.Errorf("tanh D = 0.5: chaos edge g = %g, want above 1", edge)
	}
	for _, c := range []struct {
		g    float64
		sign float64
	}{{edge * 0.999, -1}, {edge * 1.001, 1}} {
		k, _ := solve(t, Single(models.Tanh{}, c.g, 0.5), Options{}).Lyapunov()
		if k*c.sign <= 0 || math.Abs(k) > 0.01 {
			t.Errorf("g = %.5f next to the edge %.5f: κ = %g", c.g, edge, k)
		}
	}
	t.Logf("tanh, D = 0.5: chaos edge at g = %.5f", edge)
}

// TestPopulationsSpectra checks the exact spectral identity of the Euler map in an
// excitatory–inhibitory network with different φ, τ, D and mean inputs per population:
// |e^{iω} − (1 − α_a)|²S_x,a = α_a²(Σ_b g_ab² S_φ,b + 2D_aτ_a).
func TestPopulationsSpectra(t *testing.T) {
	net := Network{
		Pops: []Population{
			{Name: "E", Phi: models.Tanh{}, Tau: 1, D: 0.3, Mu: 0.1},
			{Name: "I", Phi: models.Logistic{}, Tau: 0.5, D: 0.1, Mu: -0.2},
		},
		G:  [][]float64{{1.6, 0.9}, {1.2, 0.7}},
		J0: [][]float64{{0.4, -0.8}, {0.6, -0.5}},
	}
	const a = 0.05
	sol := solve(t, net, Options{Step: a})
	_, _, sphiE := sol.Spectra(0)
	_, _, sphiI := sol.Spectra(1)
	for p, pop := range net.Pops {
		f, sx, _ := sol.Spectra(p)
		alpha := a / pop.Tau
		for j := range f {
			w := 2 * math.Pi * f[j] * a
			lhs := (1 + (1-alpha)*(1-alpha) - 2*(1-alpha)*math.Cos(w)) * sx[j]
			g := net.G[p]
			rhs := alpha * alpha * (g[0]*g[0]*sphiE[j] + g[1]*g[1]*sphiI[j] + 2*pop.D*pop.Tau)
			if math.Abs(lhs-rhs) > 1e-9*alpha*alpha {
				t.Fatalf("population %s, f = %g: %.12g ≠ %.12g", pop.Name, f[j], lhs, rhs)
			}
		}
		// The mean equation: M_a = μ_a + Σ_b J0_ab m_b with m_b = E[φ_b].
		m := pop.Mu
		for b := range net.Pops {
			m += net.J0[p][b] * sol.Pops[b].Rate
		}
		if math.Abs(m-sol.Pops[p].Mean) > 1e-10 {
			t.Errorf("population %s: M = %.12f, μ + Σ J0·m = %.12f", pop.Name, sol.Pops[p].Mean, m)
		}
	}
}

// TestNegativeSpectrumRejected checks that a covariance with negative spectral lobes
// (a boxcar in the lag) is refused.
func TestNegativeSpectrumRejected(t *testing.T) {
	box := make([]float64, 200)
	for k := range 10 {
		box[k] = 1
	}
	sol := &Solution{Network: Single(models.Tanh{}, 1, 0), Lags: make([]float64, 200),
		Pops: []PopState{{Delta: box, C: box, Delta0: 1, h: 0.1}}}
	if err := sol.checkSpectrum(); !errors.Is(err, ErrNegativeSpectrum) {
		t.Errorf("boxcar covariance: error %v, want ErrNegativeSpectrum", err)
	}
}

// TestTablesExact checks the interpolated correlations of the solution against direct
// evaluation of E[φ(M+u)φ(M+v)] at a sample of lags, for smooth and piecewise-linear φ
// with mean input.
func TestTablesExact(t *testing.T) {
	for _, pop := range []Population{
		{Phi: models.Tanh{}, Tau: 1, D: 0.2, Mu: 0.3},
		{Phi: models.ReLU{}, Tau: 1, D: 0.2, Mu: -0.1},
		{Phi: models.Logistic{}, Tau: 1, D: 0.1, Mu: 0.5},
	} {
		net := Network{Pops: []Population{pop}, G: [][]float64{{1.3}}, J0: [][]float64{{-0.4}}}
		p := solve(t, net, Options{}).Pops[0]
		for k := 0; k < len(p.Delta); k += len(p.Delta) / 17 {
			m := models.Expect2(pop.Phi, models.Gauss2{Mean1: p.Mean, Mean2: p.Mean, Var1: p.Delta0, Var2: p.Delta0, Cov: p.Delta[k]})
			if math.Abs(m.F-p.C[k]) > 1e-10 || math.Abs(m.DCov-p.CDeriv[k]) > 1e-8 {
				t.Errorf("%s lag %d: C = %.12g, direct %.12g; C_φ'φ' = %.10g, direct %.10g", pop.Phi, k, p.C[k], m.F, p.CDeriv[k], m.DCov)
			}
		}
	}
}
