package network

import (
	"math"
	"slices"
	"testing"
)

// With g = 0 each unit is an AR(1) process x[k+1] = (1−a)x[k] + √(2Da)ε whose
// stationary variance is 2Da/(1−(1−a)²) = D/(1−a/2), and lag-one autocorrelation 1−a.
func TestSimulateUncoupledOU(t *testing.T) {
	const n, T, dt, D, tau = 200, 4000, 0.1, 0.7, 2.0
	m := Single(n, 0, D, tanhPhi{})
	m.Pops[0].Tau = tau
	rec, err := Simulate(m, Options{Dt: dt, Steps: T, BurnIn: 20, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	a := dt / tau
	var v, c float64
	tr := rec.Trials[0]
	for i := range n {
		u := tr.Unit(i)
		for k := 0; k+1 < T; k++ {
			v += u[k] * u[k]
			c += u[k] * u[k+1]
		}
	}
	want := D / (1 - a/2)
	if got := v / float64(n*(T-1)); math.Abs(got/want-1) > 0.03 {
		t.Errorf("variance %.4f, want %.4f", got, want)
	}
	if got := c / v; math.Abs(got-(1-a)) > 0.005 {
		t.Errorf("lag-one autocorrelation %.4f, want %.4f", got, 1-a)
	}
	if rec.Step != dt || rec.N() != n || tr.Len != T || rec.Populations != nil {
		t.Errorf("recording: step %v, %d units, %d samples, populations %v", rec.Step, rec.N(), tr.Len, rec.Populations)
	}
}

func TestSimulateDeterministicAcrossWorkers(t *testing.T) {
	for _, c := range []Coupling{nil, Sparse{P: 0.2}} {
		m := Single(300, 1.8, 0.3, tanhPhi{})
		m.Coupling = c
		opt := Options{Dt: 0.1, Steps: 50, RecordEvery: 2, BurnIn: 1, Seed: 7}
		var ref []float64
		for _, w := range []int{1, 2, 5} {
			opt.Workers = w
			rec, err := Simulate(m, opt)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref = rec.Trials[0].Data
			} else if !slices.Equal(ref, rec.Trials[0].Data) {
				t.Errorf("coupling %v: workers = %d changes the result", c, w)
			}
		}
		opt.Seed = 8
		rec, _ := Simulate(m, opt)
		if slices.Equal(ref, rec.Trials[0].Data) {
			t.Errorf("coupling %v: seeds 7 and 8 give the same result", c)
		}
	}
}

func TestSimulatePopulations(t *testing.T) {
	m := Model{
		Pops: []Pop{
			{Name: "E", N: 30, Tau: 1, D: 0.2, Phi: tanhPhi{}},
			{Name: "I", N: 10, Tau: 0.5, D: 0.1, Phi: linPhi{}},
		},
		G2: [][]float64{{1, 0.5}, {0.5, 0}},
		J0: [][]float64{{0, -1}, {1, 0}},
		Mu: []float64{0.1, -0.1},
	}
	rec, err := Simulate(m, Options{Dt: 0.05, Steps: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Populations[29] != "E" || rec.Populations[30] != "I" || rec.Units[39] != "u0039" {
		t.Errorf("labels: %v %v %v", rec.Populations[29], rec.Populations[30], rec.Units[39])
	}
	tr, err := ReadTruth(rec.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Populations[1].Tau != 0.5 || tr.Populations[1].Phi != "linear" || tr.G2[0][1] != 0.5 || tr.Coupling != "iid" || tr.Dt != 0.05 {
		t.Errorf("truth: %+v", tr)
	}
}

func TestSimulateBadInput(t *testing.T) {
	good := Single(10, 1, 0.1, tanhPhi{})
	cases := []struct {
		name string
		m    Model
		opt  Options
	}{
		{"no population", Model{}, Options{Dt: 0.1, Steps: 1}},
		{"tau", Model{Pops: []Pop{{Name: "a", N: 3, Tau: 0, Phi: tanhPhi{}}}, G2: [][]float64{{1}}}, Options{Dt: 0.1, Steps: 1}},
		{"negative D", Model{Pops: []Pop{{Name: "a", N: 3, Tau: 1, D: -1, Phi: tanhPhi{}}}, G2: [][]float64{{1}}}, Options{Dt: 0.1, Steps: 1}},
		{"no phi", Model{Pops: []Pop{{Name: "a", N: 3, Tau: 1}}, G2: [][]float64{{1}}}, Options{Dt: 0.1, Steps: 1}},
		{"G2 shape", Model{Pops: good.Pops, G2: [][]float64{{1, 2}}}, Options{Dt: 0.1, Steps: 1}},
		{"negative g2", Model{Pops: good.Pops, G2: [][]float64{{-1}}}, Options{Dt: 0.1, Steps: 1}},
		{"dt", good, Options{Dt: 0, Steps: 1}},
		{"dt > tau", good, Options{Dt: 2, Steps: 1}},
		{"steps", good, Options{Dt: 0.1}},
		{"burn-in", good, Options{Dt: 0.1, Steps: 1, BurnIn: -1}},
		{"sparse p", Model{Pops: good.Pops, G2: good.G2, Coupling: Sparse{P: 0}}, Options{Dt: 0.1, Steps: 1}},
	}
	for _, c := range cases {
		if _, err := Simulate(c.m, c.opt); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
