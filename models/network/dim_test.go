package network

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// gaussianRecording returns n units × T samples, iid over time, with the diagonal
// covariance lambda.
func gaussianRecording(lambda []float64, T int, seed uint64) *data.Recording {
	rng := rand.New(rand.NewPCG(seed, 99))
	n := len(lambda)
	d := make([]float64, n*T)
	for i, l := range lambda {
		s := math.Sqrt(l)
		for k := range T {
			d[i*T+k] = 1 + s*rng.NormFloat64()
		}
	}
	return &data.Recording{Units: UnitNames(n), Step: 1, Trials: []data.Trial{{Len: T, Data: d}}}
}

func truePR(lambda []float64) float64 {
	var s1, s2 float64
	for _, l := range lambda {
		s1 += l
		s2 += l * l
	}
	return s1 * s1 / s2
}

// On data with a known covariance the cross-block estimator is unbiased and the naive
// one biased low; the jackknife error matches the spread over repetitions. Both the
// covariance (T ≥ N) and the Gram (T < N) paths are exercised.
func TestParticipationBias(t *testing.T) {
	for _, c := range []struct{ n, T, blocks int }{{50, 500, 10}, {200, 120, 6}} {
		lambda := make([]float64, c.n)
		for i := range lambda {
			lambda[i] = 1 / (1 + float64(i)/4)
		}
		want := truePR(lambda)
		const reps = 40
		var cross, naive, cross2, se float64
		for s := range reps {
			d, err := Participation(gaussianRecording(lambda, c.T, uint64(s)), DimOptions{Blocks: c.blocks})
			if err != nil {
				t.Fatal(err)
			}
			cross += d.Cross / reps
			cross2 += d.Cross * d.Cross / reps
			naive += d.Naive / reps
			se += d.CrossSE / reps
		}
		sd := math.Sqrt(cross2 - cross*cross)
		sem := sd / math.Sqrt(reps)
		t.Logf("N=%d T=%d: true PR %.3f, cross %.3f ± %.3f, naive %.3f; jackknife SE %.3f vs spread %.3f", c.n, c.T, want, cross, sem, naive, se, sd)
		if math.Abs(cross-want) > 3*sem {
			t.Errorf("N=%d T=%d: cross-block mean %.3f, true %.3f (± %.3f)", c.n, c.T, cross, want, sem)
		}
		if naive > want-10*sem {
			t.Errorf("N=%d T=%d: naive mean %.3f not clearly below the true %.3f", c.n, c.T, naive, want)
		}
		if r := se / sd; r < 0.7 || r > 1.5 {
			t.Errorf("N=%d T=%d: jackknife SE %.3f, spread over repetitions %.3f", c.n, c.T, se, sd)
		}
	}
}

// The covariance and Gram computations of the block traces agree.
func TestParticipationPathsAgree(t *testing.T) {
	rec := gaussianRecording([]float64{3, 2, 1, 1, 0.5, 0.1, 0.1}, 40, 1)
	rec.Trials = append(rec.Trials, gaussianRecording([]float64{3, 2, 1, 1, 0.5, 0.1, 0.1}, 25, 2).Trials...)
	bl := timeBlocks(rec, 5)
	mean := unitMeans(rec, tanhPhi{})
	M1, t1 := covTraces(rec, bl, mean, tanhPhi{})
	M2, t2 := gramTraces(rec, bl, mean, tanhPhi{})
	for a := range t1 {
		if math.Abs(t1[a]-t2[a]) > 1e-12*t1[a] {
			t.Errorf("tr C_%d: %v vs %v", a, t1[a], t2[a])
		}
		for b := range t1 {
			if math.Abs(M1[a][b]-M2[a][b]) > 1e-12*M1[a][b] {
				t.Errorf("tr(C_%d C_%d): %v vs %v", a, b, M1[a][b], M2[a][b])
			}
		}
	}
	for _, b := range bl {
		if b.k1 > rec.Trials[b.trial].Len || b.k0 >= b.k1 {
			t.Errorf("bad block %+v", b)
		}
	}
}

func TestParticipationBadInput(t *testing.T) {
	rec := gaussianRecording([]float64{1, 1}, 10, 1)
	if _, err := Participation(rec, DimOptions{Blocks: 2}); err == nil {
		t.Error("2 blocks: no error")
	}
	if _, err := Participation(rec, DimOptions{Blocks: 6}); err == nil {
		t.Error("10 samples in 6 blocks: no error")
	}
	for i := range rec.Trials[0].Data {
		rec.Trials[0].Data[i] = 2
	}
	if _, err := Participation(rec, DimOptions{Blocks: 3}); err == nil {
		t.Error("constant units: no error")
	}
}
