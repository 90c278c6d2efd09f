package network

import (
	"math"
	"testing"
)

// unitVariance returns the unit-averaged temporal variance of a simulation of m.
func unitVariance(t *testing.T, m Model, opt Options) float64 {
	t.Helper()
	rec, err := Simulate(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	tr := rec.Trials[0]
	var v float64
	for i := range rec.N() {
		_, vi := meanVar(tr.Unit(i))
		v += vi / float64(rec.N())
	}
	return v
}

// The single-unit variance of a random-mode network with ρ = 0 equals that of an iid
// network with the same g: the means over network realisations agree within three
// standard errors of their difference. At N = 1000 the variance differs between
// realisations by 3–5% (6% at N = 500, from slow finite-size fluctuations), so four
// realisations of each resolve a difference of about 8% (three standard errors); the
// test also fails when the standard error grows beyond 4% (6% for the exponential
// spectrum).
func TestRandomModeVarianceMatchesIID(t *testing.T) {
	const n, g, d, reps = 1000, 1.5, 0.2, 4
	opt := Options{Dt: 0.1, Steps: 500, RecordEvery: 3, BurnIn: 30}
	stats := func(c Coupling) (mean, se float64) {
		var s, s2 float64
		for r := range reps {
			m := Single(n, g, d, tanhPhi{})
			m.Coupling = c
			opt.Seed = uint64(100 + r)
			v := unitVariance(t, m, opt)
			s += v / reps
			s2 += v * v / reps
		}
		return s, math.Sqrt((s2 - s*s) / (reps - 1))
	}
	iid, seI := stats(IID{})
	for _, c := range []Coupling{
		RandomMode{Alpha: 1, Spectrum: Flat},
		RandomMode{Alpha: 0.5, Spectrum: Exponential, Beta: 2},
	} {
		rm, seR := stats(c)
		se := math.Hypot(seI, seR)
		t.Logf("%v: variance %.4f ± %.4f, iid %.4f ± %.4f", c, rm, seR, iid, seI)
		// The exponential spectrum (effective rank PR_D ≈ 0.48P) varies twice as much
		// between realisations.
		limit := 0.04
		if c.(RandomMode).Spectrum != Flat {
			limit = 0.06
		}
		if math.Abs(rm-iid) > 3*se || se > limit*iid {
			t.Errorf("%v: single-unit variance %.4f, iid %.4f (difference %.4f, SE %.4f)", c, rm, iid, rm-iid, se)
		}
	}
}

// For an iid tanh network at g = 2 (D = 0, N = 1000) the participation ratio of x is
// PR_x/N ≈ 0.016–0.019 (mean-field theory: 0.0159 as N → ∞; finite N is higher).
// Single realisations at N = 1000 scatter by ±0.0035 (over 3200 time units: 0.022,
// 0.021, 0.019, 0.014 for seeds 1–4; ±0.005 over the 800 used here), because slow
// finite-size fluctuations dominate the top of the covariance spectrum. So the mean
// over four realisations must reach that range within two of its standard errors
// (which must stay below 0.003), and in each realisation the naive estimate must lie
// below the cross-block one.
func TestParticipationChaoticNetwork(t *testing.T) {
	const n, reps = 1000, 4
	var mean, sq float64
	for s := range reps {
		rec, err := Simulate(Single(n, 2, 0, tanhPhi{}), Options{Dt: 0.1, Steps: 1600, RecordEvery: 5, BurnIn: 50, Seed: uint64(1 + s)})
		if err != nil {
			t.Fatal(err)
		}
		d, err := Participation(rec, DimOptions{Blocks: 10})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: PR_x/N naive %.4f, cross-block %.4f ± %.4f", 1+s, d.Naive/n, d.Cross/n, d.CrossSE/n)
		if d.Naive >= d.Cross {
			t.Errorf("seed %d: naive PR %.2f not below the cross-block %.2f", 1+s, d.Naive, d.Cross)
		}
		mean += d.Cross / n / reps
		sq += d.Cross * d.Cross / n / n / reps
	}
	se := math.Sqrt((sq - mean*mean) / (reps - 1)) // standard error of the mean
	t.Logf("mean PR_x/N over %d networks: %.4f ± %.4f", reps, mean, se)
	if mean < 0.016-2*se || mean > 0.019+2*se || se > 0.003 {
		t.Errorf("mean PR_x/N = %.4f ± %.4f, want 0.016–0.019", mean, se)
	}
}
