package likelihood

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

func TestJackknifeCovKnownSpread(t *testing.T) {
	// Leave-one-out means of x: θ_k = (S − x_k)/(K−1); the jackknife variance of the
	// mean is then s²/K exactly.
	x := []float64{1, 4, 2, 8, 5}
	var sum float64
	for _, v := range x {
		sum += v
	}
	var thetas [][]float64
	for _, v := range x {
		thetas = append(thetas, []float64{(sum - v) / 4})
	}
	_, s2 := meanVar(x)
	if got := jackknifeCov(thetas).At(0, 0); math.Abs(got-s2/5) > 1e-12 {
		t.Errorf("jackknife variance %v, want s²/K = %v", got, s2/5)
	}
}

// subset returns the recording restricted to its first n units.
func subset(rec *data.Recording, n int) *data.Recording {
	out := &data.Recording{Units: rec.Units[:n], Step: rec.Step}
	for _, tr := range rec.Trials {
		out.Trials = append(out.Trials, data.Trial{Len: tr.Len, Data: tr.Data[:n*tr.Len]})
	}
	return out
}

// TestSpectralIntervalCalibration measures, over seeded simulations, how often 95%
// intervals for g² from the Whittle curvature and from the jackknife cover the truth.
// Measured (40 seeds each): all 200 units observed, curvature 31, units 35, units +
// segments 40, two-way 38; 60 of 400 observed: 39, 37, 39, 39.
func TestSpectralIntervalCalibration(t *testing.T) {
	if testing.Short() {
		t.Skip("calibration study: 40 simulations")
	}
	const g, D, seeds = 1.5, 0.5, 40
	for _, sc := range []struct {
		name   string
		n, sub int
		steps  int
	}{
		{"all 200 observed", 200, 200, 4000},
		{"60 of 400 observed", 400, 60, 4000},
	} {
		var cover [4]int
		for seed := range uint64(seeds) {
			rec, err := network.Simulate(network.Single(sc.n, g, D, models.Tanh{}), network.Options{Dt: 0.1, Steps: sc.steps, BurnIn: 20, Seed: 1000 + seed})
			if err != nil {
				t.Fatal(err)
			}
			st, err := SpectralStats(subset(rec, sc.sub), StatsOptions{Segment: 128})
			if err != nil {
				t.Fatal(err)
			}
			obj, err := NewSpectral(st, SpectralOptions{})
			if err != nil {
				t.Fatal(err)
			}
			th, _ := maximise(t, obj)
			var H mat.SymDense
			fd.Hessian(&H, func(x []float64) float64 { return obj.Eval(x, nil) }, th, nil)
			var cov mat.SymDense
			var ch mat.Cholesky
			H.ScaleSym(-1, &H)
			if !ch.Factorize(&H) {
				t.Fatalf("seed %d: Hessian not negative definite", seed)
			}
			ch.InverseTo(&cov)
			jk, err := SpectralJackknife(st, SpectralOptions{}, func(o Objective) ([]float64, error) {
				x, _ := maximise(t, o)
				return x, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			truth := math.Log(g * g)
			tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(jk.Blocks - 1)}.Quantile(0.975)
			for k, half := range []float64{1.96 * math.Sqrt(cov.At(0, 0)), tq * math.Sqrt(jk.Units.At(0, 0)), tq * math.Sqrt(jk.Units.At(0, 0)+jk.Segments.At(0, 0)), tq * math.Sqrt(jk.TwoWay.At(0, 0))} {
				if math.Abs(th[0]-truth) <= half {
					cover[k]++
				}
			}
		}
		t.Logf("%s: coverage of nominal 95%% for g²: Whittle curvature %d/%d, jackknife units %d/%d, units+segments %d/%d, two-way %d/%d",
			sc.name, cover[0], seeds, cover[1], seeds, cover[2], seeds, cover[3], seeds)
		// Measured 38/40 and 39/40. At a true 95%, 40 draws give ≥ 35 with
		// probability 0.99.
		if cover[3] < 35 {
			t.Errorf("%s: two-way jackknife intervals cover the truth in %d of %d", sc.name, cover[3], seeds)
		}
	}
}

func TestClipPSD(t *testing.T) {
	// Correlation just beyond −1: eigenvalues 2.001 and −0.001.
	c := mat.NewSymDense(2, []float64{1, -1.001, -1.001, 1})
	if err := clipPSD(c); err != nil {
		t.Fatal(err)
	}
	var es mat.EigenSym
	es.Factorize(c, false)
	if v := es.Values(nil); v[0] < -1e-15 || math.Abs(v[1]-2.001) > 1e-12 {
		t.Errorf("eigenvalues after clipping %v, want [0 2.001]", v)
	}
}
