package infer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/kernel"
)

func readSet(t testing.TB, name string) *data.Labelled {
	t.Helper()
	l, err := data.ReadLabelled("../testdata/"+name+".parquet", data.LabelledOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// splitFirst returns a seeded random split with exactly nTrain training examples.
func splitFirst(l *data.Labelled, nTrain int, seed uint64) (train, test *data.Labelled) {
	perm := rand.New(rand.NewPCG(seed, 0)).Perm(l.P())
	pick := func(idx []int) *data.Labelled {
		s := &data.Labelled{Features: l.Features, Classes: l.Classes}
		for _, i := range idx {
			s.X = append(s.X, l.Row(i)...)
			s.Y = append(s.Y, l.Y[i])
		}
		return s
	}
	return pick(perm[:nTrain]), pick(perm[nTrain:])
}

func mustParse(t testing.TB, spec string) []kernel.Arch {
	t.Helper()
	as, err := kernel.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// Digits, seeded 1000/797 split, standardised features, erf and ReLU deep kernels of
// depth 1–5 with hyperparameters fitted by maximum evidence: the best reaches ≥ 97%.
func TestCompareDigits(t *testing.T) {
	train, test := splitFirst(readSet(t, "digits"), 1000, 1)
	archs := mustParse(t, "deep:1..5,phi=erf,deep:1..5,phi=relu,sw2=2")
	start := time.Now()
	res, err := Compare(archs, train, test, CompareOptions{FitHyper: true, Standardize: true, Seed: 1,
		Progress: func(done, total int) { t.Logf("%d/%d architectures after %v", done, total, time.Since(start)) }})
	if err != nil {
		t.Fatal(err)
	}
	best := 0.0
	for _, r := range res {
		t.Logf("%-40s log evidence %10.2f  accuracy %.4f  MSE %.4f  MLPD %.3f  noise %.3g  converged %v",
			r.Arch, r.LogEvidence, r.Accuracy, r.MSE, r.MLPD, r.Noise, r.Converged)
		best = math.Max(best, r.Accuracy)
		if math.IsNaN(r.LogEvidence) || r.MSE <= 0 || r.MSE >= 0.09 {
			t.Errorf("%s: implausible log evidence %v or MSE %v", r.Arch, r.LogEvidence, r.MSE)
		}
		if !(r.Noise >= NoiseFloor) || math.IsInf(r.Noise, 0) || !r.Converged {
			t.Errorf("%s: noise variance %v (floor %v), converged %v", r.Arch, r.Noise, NoiseFloor, r.Converged)
		}
	}
	if best < 0.97 {
		t.Errorf("best test accuracy %.4f, want ≥ 0.97", best)
	}
	RankByEvidence(res)
	for i := 1; i < len(res); i++ {
		if res[i].LogEvidence > res[i-1].LogEvidence {
			t.Fatal("RankByEvidence did not sort by decreasing evidence")
		}
	}
}

// A recurrent net with input at the first step and a last-step readout predicts
// exactly what the deep net of the same depth does.
func TestDeepAndRecurrentPredictIdentically(t *testing.T) {
	train, test := splitFirst(readSet(t, "digits"), 1000, 1)
	xtr, ytr, xte, _, err := prepare(train, test, true)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := likelihood.OneHot(ytr, 10)
	for _, phi := range []string{"erf", "relu"} {
		deep := mustParse(t, "deep:L=3,phi="+phi)[0]
		rec := mustParse(t, "recurrent:T=3,input=first,readout=last,phi="+phi)[0]
		var means [2][]float64
		for i, a := range []kernel.Arch{deep, rec} {
			gp, err := likelihood.NewGP(a, xtr, train.D(), y, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			theta := []float64{math.Log(a.SigmaW2), math.Log(a.SigmaB2), math.Log(0.05)}
			post, err := gp.Predict(theta, xte)
			if err != nil {
				t.Fatal(err)
			}
			means[i] = post.Mean.RawMatrix().Data
		}
		for i := range means[0] {
			if d := math.Abs(means[0][i] - means[1][i]); d > 1e-12 {
				t.Fatalf("%s: posterior mean %d differs by %g between deep and recurrent", phi, i, d)
			}
		}
	}
}

// The small real sets end to end, with a stratified split of the file.
func TestCompareSmallSets(t *testing.T) {
	for _, name := range []string{"iris", "wine", "breast_cancer"} {
		l := readSet(t, name)
		train, test, err := l.Split(0.3, 2)
		if err != nil {
			t.Fatal(err)
		}
		archs := mustParse(t, "deep:1..2,phi=erf,recurrent:T=2,phi=relu,input=every,readout=sum")
		res, err := Compare(archs, train, test, CompareOptions{FitHyper: true, Standardize: true, Seed: 3})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, r := range res {
			t.Logf("%s %-60s log evidence %8.2f accuracy %.3f converged %v", name, r.Arch, r.LogEvidence, r.Accuracy, r.Converged)
			if r.Accuracy < 0.85 {
				t.Errorf("%s %s: accuracy %.3f, want ≥ 0.85", name, r.Arch, r.Accuracy)
			}
		}
	}
}

// The fitted hyperparameters maximise the evidence: nearby points are not better.
func TestFitEvidenceIsMaximum(t *testing.T) {
	// Wine has no duplicated rows (iris does, and there the evidence grows without
	// bound as the noise variance goes to zero).
	l := readSet(t, "wine")
	xtr := append([]float64(nil), l.X...)
	Standardize(xtr, nil, l.D())
	y, _ := likelihood.OneHot(l.Y, 3)
	gp, err := likelihood.NewGP(kernel.Arch{Kind: kernel.Deep, Depth: 2, Phi: models.Erf{B: 1}, SigmaW2: 1, SigmaB2: 0.1}, xtr, l.D(), y, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	est, err := FitEvidence(gp, FitOptions{Restarts: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range est.Theta {
		for _, h := range []float64{-0.05, 0.05} {
			if i == 2 && h < 0 && est.Value[2] == NoiseFloor {
				continue // the noise is held at its floor
			}
			th := append([]float64(nil), est.Theta...)
			th[i] += h
			if v := gp.Eval(th, nil); v > est.LogLik+1e-9 {
				t.Errorf("moving θ%d by %g raises the evidence from %.8f to %.8f", i, h, est.LogLik, v)
			}
		}
	}
}

func TestCompareBadInput(t *testing.T) {
	l := readSet(t, "iris")
	arch := mustParse(t, "deep:L=1")
	one := &data.Labelled{Features: l.Features, Classes: l.Classes, X: l.X[:4*10], Y: make([]int, 10)}
	if _, err := Compare(arch, one, l, CompareOptions{}); err == nil || !strings.Contains(err.Error(), "only one class") {
		t.Errorf("one class: %v", err)
	}
	bad := &data.Labelled{Features: l.Features, Classes: l.Classes, X: append([]float64(nil), l.X...), Y: l.Y}
	bad.X[4*7+2] = math.NaN()
	if _, err := Compare(arch, bad, l, CompareOptions{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q of example 7", l.Features[2])) {
		t.Errorf("NaN feature: %v", err)
	}
	narrow := &data.Labelled{Features: l.Features[:3], Classes: l.Classes, X: l.X[:3*20], Y: l.Y[:20]}
	if _, err := Compare(arch, l, narrow, CompareOptions{}); err == nil || !strings.Contains(err.Error(), "features") {
		t.Errorf("feature mismatch: %v", err)
	}
	other := &data.Labelled{Features: l.Features, Classes: []string{"x", "y"}, X: l.X[:8], Y: []int{0, 1}}
	if _, err := Compare(arch, l, other, CompareOptions{}); err == nil || !strings.Contains(err.Error(), `class "x"`) {
		t.Errorf("unknown test class: %v", err)
	}
	if _, err := Compare(nil, l, l, CompareOptions{}); err == nil {
		t.Error("no architectures accepted")
	}
}
