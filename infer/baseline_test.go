package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/data"
)

// arRecording simulates independent AR processes x[k] = c + Σ b_j x[k−j] + σε, one per
// unit.
func arRecording(units, steps int, c float64, b []float64, sigma float64, seed uint64) *data.Recording {
	rng := rand.New(rand.NewPCG(seed, 99))
	rec := &data.Recording{Step: 1, Units: make([]string, units)}
	tr := data.Trial{Len: steps, Data: make([]float64, units*steps)}
	for i := 0; i < units; i++ {
		rec.Units[i] = fmt.Sprintf("ar%d", i)
		x := make([]float64, steps+200)
		for k := len(b); k < len(x); k++ {
			x[k] = c + sigma*rng.NormFloat64()
			for j, bj := range b {
				x[k] += bj * x[k-j-1]
			}
		}
		copy(tr.Unit(i), x[200:])
	}
	rec.Trials = []data.Trial{tr}
	return rec
}

// On an AR(1) process the AR(1) baseline's predictive mean is the true conditional mean
// up to estimation error, and its intervals are calibrated.
func TestAR1Recovery(t *testing.T) {
	const c, b, sigma = 0.3, 0.7, 0.5
	rec := arRecording(20, 4000, c, []float64{b}, sigma, 1)
	p, orders, err := AR(rec, 1, BaselineOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if orders[0] != 1 {
		t.Fatalf("order %d, want the fixed 1", orders[0])
	}
	dev := 0.0
	for i := range p.Units {
		x := rec.Trials[0].Unit(i)
		mean := p.unitSlice(p.Mean, i)
		off := rec.Trials[0].Len - len(p.Times)
		for k, m := range mean {
			d := m - (c + b*x[off+k-1])
			dev += d * d
		}
	}
	rms := math.Sqrt(dev / float64(len(p.Mean)))
	// The least-squares estimate over 3200 samples has errors of order σ/√n · |x| ≈ 0.01.
	if rms > 0.03 {
		t.Errorf("rms deviation of the predictive mean from the true conditional mean %.4f, want ≤ 0.03", rms)
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	calibrated(t, "AR(1) on AR(1) data", s)
	if want := -0.5*math.Log(2*math.Pi*math.E) - math.Log(sigma); math.Abs(s.LPD-want) > 0.02 {
		t.Errorf("LPD %.4f, want the true model's %.4f within 0.02", s.LPD, want)
	}
}

// The held-out likelihood picks the true order of AR(3) data.
func TestAROrderSelection(t *testing.T) {
	rec := arRecording(12, 3000, 0, []float64{0.5, -0.3, 0.4}, 1, 2)
	_, orders, err := AR(rec, 0, BaselineOptions{MaxOrder: 8, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	for i, o := range orders {
		if o < 3 {
			t.Errorf("unit %d: chosen order %d is below the true 3", i, o)
		}
		if o == 3 {
			right++
		}
	}
	t.Logf("chosen orders %v", orders)
	if right < len(orders)/2 {
		t.Errorf("the true order 3 was chosen for %d of %d units, want a majority", right, len(orders))
	}
}

// The O(N²) closed form of a fold's validation error equals refitting the ridge
// regression on the fold's training columns and predicting its validation columns.
func TestRidgeFoldClosedForm(t *testing.T) {
	const n, tt, u = 6, 80, 3
	rng := rand.New(rand.NewPCG(7, 8))
	f := mat.NewDense(n, tt, nil)
	y := mat.NewDense(u, tt, nil)
	for _, m := range []*mat.Dense{f, y} {
		raw := m.RawMatrix().Data
		for i := range raw {
			raw[i] = rng.NormFloat64() + 0.5
		}
	}
	const lo, hi = 20, 36
	rf, err := newRidgeFold(f, y, lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	for _, lam := range []float64{1e-3, 0.7, 30} {
		w, mf, my, err := ridgeSolve(f, y, lo, hi, lam)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float64, u)
		for k := lo; k < hi; k++ {
			for r := 0; r < u; r++ {
				pred := my[r]
				for j := 0; j < n; j++ {
					pred += w.At(j, r) * (f.At(j, k) - mf[j])
				}
				e := y.At(r, k) - pred
				want[r] += e * e
			}
		}
		got := make([]float64, u)
		rf.unitSSE(got, lam)
		total := 0.0
		for r := range got {
			total += want[r]
			if math.Abs(got[r]-want[r]) > 1e-9*want[r] {
				t.Errorf("λ = %v unit %d: closed-form validation error %.12g, refit gives %.12g", lam, r, got[r], want[r])
			}
		}
		if s := rf.sse(lam); math.Abs(s-total) > 1e-9*total {
			t.Errorf("λ = %v: closed-form total %.12g, refit gives %.12g", lam, s, total)
		}
	}
}

// Ridge on a linear-Gaussian recording (φ the identity, a = 1: x[k+1] = W x[k] + ε) is
// calibrated, and its cross-validated penalty is near the Bayes-optimal σ²/v.
func TestRidgeRecovery(t *testing.T) {
	const n, steps, sigma = 30, 3000, 0.5
	rng := rand.New(rand.NewPCG(11, 12))
	w := mat.NewDense(n, n, nil)
	const v = 0.5 / n // spectral radius about √(n v) = 0.7: stable
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			w.Set(i, j, math.Sqrt(v)*rng.NormFloat64())
		}
	}
	rec := &data.Recording{Step: 1, Units: make([]string, n)}
	tr := data.Trial{Len: steps, Data: make([]float64, n*steps)}
	x := mat.NewVecDense(n, nil)
	var nx mat.VecDense
	for k := -100; k < steps; k++ {
		nx.MulVec(w, x)
		for i := 0; i < n; i++ {
			x.SetVec(i, nx.AtVec(i)+sigma*rng.NormFloat64())
			if k >= 0 {
				tr.Data[i*steps+k] = x.AtVec(i)
			}
		}
	}
	for i := range rec.Units {
		rec.Units[i] = fmt.Sprintf("u%d", i)
	}
	rec.Trials = []data.Trial{tr}
	p, lambda, err := Ridge(rec, nil, BaselineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	calibrated(t, "ridge on linear data", s)
	bayes := sigma * sigma / v
	t.Logf("chosen penalty %.4g, Bayes-optimal σ²/v = %.4g", lambda, bayes)
	if lambda < bayes/10 || lambda > bayes*10 {
		t.Errorf("chosen penalty %.4g is more than a decade from the Bayes-optimal %.4g", lambda, bayes)
	}
}
