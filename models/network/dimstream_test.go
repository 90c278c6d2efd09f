package network

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// feed adds the trial to the stream in chunks of irregular sizes.
func feed(t *testing.T, d *DimStream, tr data.Trial, n int) {
	t.Helper()
	sizes := []int{1, 37, 5, 100, 64, 3}
	for k, c := 0, 0; k < tr.Len; c++ {
		m := min(sizes[c%len(sizes)], tr.Len-k)
		chunk := make([]float64, 0, n*m)
		for i := range n {
			chunk = append(chunk, tr.Unit(i)[k:k+m]...)
		}
		if err := d.Add(chunk, m); err != nil {
			t.Fatal(err)
		}
		k += m
	}
	d.EndTrial()
}

// With Blocks·2^k samples in one trial the stream's blocks are those of Participation,
// so the estimates agree to rounding, for x and for φ(x); units offset far from zero
// check that the provisional centre prevents cancellation.
func TestDimStreamMatchesParticipation(t *testing.T) {
	lambda := []float64{4, 2, 1, 1, 0.5, 0.5, 0.2, 0.1}
	rec := gaussianRecording(lambda, 10*64, 3)
	for i := range rec.Trials[0].Data {
		rec.Trials[0].Data[i] += 1e5
	}
	for _, phi := range []models.Phi{nil, tanhPhi{}} {
		opt := DimOptions{Blocks: 10, Phi: phi}
		if phi != nil {
			// tanh saturates far from zero: shift back so that φ(x) varies.
			for i := range rec.Trials[0].Data {
				rec.Trials[0].Data[i] -= 1e5
			}
		}
		want, err := Participation(rec, opt)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewDimStream(rec.N(), opt)
		if err != nil {
			t.Fatal(err)
		}
		feed(t, s, rec.Trials[0], rec.N())
		got, err := s.Dimension()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range [][2]float64{{got.Naive, want.Naive}, {got.Cross, want.Cross}, {got.NaiveSE, want.NaiveSE}, {got.CrossSE, want.CrossSE}, {got.TraceC2, want.TraceC2}} {
			if math.Abs(c[0]-c[1]) > 1e-9*math.Abs(c[1]) {
				t.Errorf("phi %v: stream %+v, in memory %+v", phi, got, want)
				break
			}
		}
		if got.Blocks != 10 || got.T != 640 {
			t.Errorf("blocks %d, samples %d", got.Blocks, got.T)
		}
	}
}

// Several trials of any length: the estimate agrees with Participation's (different
// block boundaries) within their standard errors.
func TestDimStreamTrials(t *testing.T) {
	lambda := make([]float64, 30)
	for i := range lambda {
		lambda[i] = 1 / (1 + float64(i)/3)
	}
	rec := gaussianRecording(lambda, 1500, 1)
	rec.Trials = append(rec.Trials, gaussianRecording(lambda, 1111, 2).Trials...)
	want, err := Participation(rec, DimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := NewDimStream(rec.N(), DimOptions{})
	for _, tr := range rec.Trials {
		feed(t, s, tr, rec.N())
	}
	got, err := s.Dimension()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.Cross-want.Cross) > 2*want.CrossSE || math.Abs(got.Naive-want.Naive) > 0.01*want.Naive || got.T != 2611 {
		t.Errorf("stream %+v, in memory %+v", got, want)
	}
}

func TestDimStreamBadInput(t *testing.T) {
	if _, err := NewDimStream(5, DimOptions{Blocks: 2}); err == nil {
		t.Error("2 blocks: no error")
	}
	s, _ := NewDimStream(2, DimOptions{Blocks: 3})
	if err := s.Add(make([]float64, 5), 2); err == nil {
		t.Error("chunk of wrong size: no error")
	}
	s.Add([]float64{1, 2, 3, 4}, 2)
	if _, err := s.Dimension(); err == nil {
		t.Error("2 samples for 3 blocks: no error")
	}
}
