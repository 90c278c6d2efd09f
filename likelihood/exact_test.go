package likelihood

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distmv"
)

// denseExact evaluates the exact log-likelihood directly: a dense multivariate normal
// per unit and trial, plus the Jacobian.
func denseExact(rec *data.Recording, tau, g, D, j0, mu float64) float64 {
	alpha := rec.Step / tau
	N := rec.N()
	var ll float64
	for _, tr := range rec.Trials {
		T := tr.Len - 1
		m := make([]float64, T)
		cov := mat.NewSymDense(T, nil)
		for k := range T {
			for l := k; l < T; l++ {
				var c float64
				for j := range N {
					c += math.Tanh(tr.At(k, j)) * math.Tanh(tr.At(l, j))
				}
				v := g * g * c / float64(N)
				if k == l {
					v += 2 * D / alpha
				}
				cov.SetSym(k, l, v)
			}
			for j := range N {
				m[k] += math.Tanh(tr.At(k, j)) / float64(N)
			}
		}
		mean := make([]float64, T)
		for k := range mean {
			mean[k] = mu + j0*m[k]
		}
		nd, ok := distmv.NewNormal(mean, cov, nil)
		if !ok {
			panic("covariance not positive definite")
		}
		y := make([]float64, T)
		for i := range N {
			x := tr.Unit(i)
			for k := range y {
				y[k] = (x[k+1]-x[k])/alpha + x[k]
			}
			ll += nd.LogProb(y) - float64(T)*math.Log(alpha)
		}
	}
	return ll
}

func smallRecording(n int, lens []int, seed uint64) *data.Recording {
	rec := arRecording(n, lens, 0.8, seed)
	for _, tr := range rec.Trials {
		for k := range tr.Data {
			tr.Data[k] *= 0.7
		}
	}
	return rec
}

func TestExactMatchesDenseGaussian(t *testing.T) {
	for _, c := range []struct {
		n    int
		lens []int
	}{{4, []int{9, 7}}, {7, []int{5}}, {5, []int{6}}} {
		rec := smallRecording(c.n, c.lens, 31)
		e, err := NewExact(rec, ExactOptions{})
		if err != nil {
			t.Fatal(err)
		}
		th := []float64{math.Log(0.8), math.Log(1.3), math.Log(0.4), 0.7, -0.2}
		got := e.Eval(th, nil)
		want := denseExact(rec, 0.8, 1.3, 0.4, 0.7, -0.2)
		if math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("N=%d lens=%v: Eval %.12g, dense Gaussian %.12g", c.n, c.lens, got, want)
		}
	}
}

func TestExactGradient(t *testing.T) {
	for _, n := range []int{6, 40} {
		rec := smallRecording(n, []int{25, 30}, 32)
		for _, fix := range []bool{false, true} {
			e, err := NewExact(rec, ExactOptions{Tau: 0.8, FixTau: fix})
			if err != nil {
				t.Fatal(err)
			}
			checkGradient(t, e, 3, 0.4)
		}
	}
}

func TestExactFixedTau(t *testing.T) {
	rec := smallRecording(5, []int{9}, 33)
	free, _ := NewExact(rec, ExactOptions{})
	fixed, _ := NewExact(rec, ExactOptions{Tau: 0.8, FixTau: true})
	if len(fixed.Params()) != 4 || fixed.Params()[0].Name != "g" {
		t.Fatalf("fixed-τ parameters %+v", fixed.Params())
	}
	th := []float64{math.Log(1.3), math.Log(0.4), 0.7, -0.2}
	if a, b := fixed.Eval(th, nil), free.Eval(append([]float64{math.Log(0.8)}, th...), nil); a != b {
		t.Errorf("fixed τ: %v, free τ at the same value: %v", a, b)
	}
}

func TestExactRecovery(t *testing.T) {
	const tau, g, D = 1.0, 1.6, 0.2
	m := network.Single(300, g, D, models.Tanh{})
	rec := simulate(t, m, 0.1, 4000, 41)
	e, err := NewExact(rec, ExactOptions{Tau: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	th, _ := maximise(t, e)
	got := []float64{math.Exp(th[0]), math.Exp(th[1]), math.Exp(th[2]), th[3], th[4]}
	t.Logf("τ %.4f g %.4f D %.4f J0 %.4f μ %.4f", got[0], got[1], got[2], got[3], got[4])
	for k, want := range []float64{tau, g, D} {
		if math.Abs(got[k]/want-1) > 0.05 {
			t.Errorf("%s = %.4f, truth %v", e.Params()[k].Name, got[k], want)
		}
	}
	// J0·m is confounded with the row sums of J: its standard error is about g/√N = 0.09.
	if math.Abs(got[3]) > 0.4 || math.Abs(got[4]) > 0.02 {
		t.Errorf("J0 = %.4f, μ = %.4f; truth 0", got[3], got[4])
	}
}

func TestExactErrors(t *testing.T) {
	rec := smallRecording(1, []int{20}, 1)
	if _, err := NewExact(rec, ExactOptions{}); err == nil {
		t.Error("one unit accepted")
	}
	rec = smallRecording(3, []int{20}, 1)
	if _, err := NewExact(rec, ExactOptions{Tau: -1}); err == nil {
		t.Error("τ < 0 accepted")
	}
	rec.Trials[0].Data[5] = math.Inf(1)
	if _, err := NewExact(rec, ExactOptions{}); err == nil {
		t.Error("infinite value accepted")
	}
}
