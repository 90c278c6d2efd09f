package data

import (
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

const aplysia = "../testdata/aplysia_Jun0214da01_spikes.parquet"

// TestBinAplysia bins the real Aplysia spike table at 20 and 50 ms and compares every
// count with a direct count of the spikes between the bin edges (binary search in the
// sorted spike times of each unit).
func TestBinAplysia(t *testing.T) {
	sp, err := ReadSpikes(aplysia)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Units) != 136 || len(sp.Time) != 23681 {
		t.Fatalf("%d units, %d spikes; want 136, 23681", len(sp.Units), len(sp.Time))
	}
	if ok, err := IsSpikeTable(aplysia); !ok || err != nil {
		t.Errorf("IsSpikeTable = %v, %v", ok, err)
	}
	byUnit := make([][]float64, len(sp.Units))
	for i, u := range sp.Unit {
		byUnit[u] = append(byUnit[u], sp.Time[i])
	}
	for _, u := range byUnit {
		sort.Float64s(u)
	}
	for _, bin := range []float64{0.02, 0.05} {
		rec, dropped, err := sp.Bin(BinOptions{Bin: bin})
		if err != nil {
			t.Fatal(err)
		}
		if len(dropped) != 0 || rec.N() != 136 || rec.Step != bin {
			t.Fatalf("bin %v: %d units, dropped %v", bin, rec.N(), dropped)
		}
		tr := rec.Trials[0]
		last := slices.Max(sp.Time)
		if want := int(last/bin) + 1; tr.Len != want || tr.Start != 0 {
			t.Errorf("bin %v: %d bins from %v, want %d from 0", bin, tr.Len, tr.Start, want)
		}
		total := 0.0
		for i, name := range rec.Units {
			u := slices.Index(sp.Units, name)
			for k, c := range tr.Unit(i) {
				lo := sort.SearchFloat64s(byUnit[u], float64(k)*bin)
				hi := sort.SearchFloat64s(byUnit[u], float64(k+1)*bin)
				if c != float64(hi-lo) {
					t.Fatalf("bin %v unit %s bin %d: %v spikes, direct count %d", bin, name, k, c, hi-lo)
				}
				total += c
			}
		}
		if total != 23681 {
			t.Errorf("bin %v: %v spikes binned, want 23681", bin, total)
		}
	}
	// A window after the stimulus at 30 s, in Hz.
	rec, _, err := sp.Bin(BinOptions{Bin: 0.05, From: 30, To: 60, Transform: "rate"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Trials[0].Len != 600 || rec.Trials[0].Start != 30 {
		t.Errorf("window: %d bins from %v, want 600 from 30", rec.Trials[0].Len, rec.Trials[0].Start)
	}
}

func spikeFile(t *testing.T, cols ...col) *Spikes {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.arrow")
	writeRaw(t, path, nil, 0, cols...)
	sp, err := ReadSpikes(path)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}

// TestBinSmoothing compares the smoothed response to one spike with closed forms: the
// causal exponential (1−a)·aᵏ, and for the Gaussian the density times the bin width.
func TestBinSmoothing(t *testing.T) {
	sp := spikeFile(t, col{"unit", ints(1, 2)}, col{"time", floats(1.0005, 9.9995)})
	const bin = 0.001
	rec, _, err := sp.Bin(BinOptions{Bin: bin, From: 0, To: 10, Smooth: "exp:0.01"})
	if err != nil {
		t.Fatal(err)
	}
	a := math.Exp(-bin / 0.01)
	x := rec.Trials[0].Unit(0)
	for k := 990; k < 1100; k++ {
		want := 0.0
		if k >= 1000 {
			want = (1 - a) * math.Pow(a, float64(k-1000))
		}
		if math.Abs(x[k]-want) > 1e-15 {
			t.Fatalf("exp: bin %d = %v, want %v", k, x[k], want)
		}
	}
	const sigma = 0.005
	rec, _, err = sp.Bin(BinOptions{Bin: bin, From: 0, To: 10, Smooth: "gauss:0.005"})
	if err != nil {
		t.Fatal(err)
	}
	x = rec.Trials[0].Unit(0)
	sum := 0.0
	for k := 950; k < 1050; k++ {
		z := float64(k-1000) * bin / sigma
		want := bin / (sigma * math.Sqrt(2*math.Pi)) * math.Exp(-z*z/2)
		if k-1000 > 20 || k-1000 < -20 {
			want = 0 // truncated at 4σ
		}
		// Truncation at 4σ renormalises by 1/0.99994.
		if math.Abs(x[k]-want) > 1e-4*want+1e-12 {
			t.Fatalf("gauss: bin %d = %v, want %v", k, x[k], want)
		}
		sum += x[k]
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Errorf("gauss: kernel sums to %v, want 1", sum)
	}
}

func TestBinTransformsTrialsDropped(t *testing.T) {
	sp := spikeFile(t,
		col{"unit", strs("a", "a", "a", "b", "c", "a")},
		col{"time", floats(0.1, 0.15, 0.5, 0.2, 5, 0.12)},
		col{"trial", ints(1, 1, 1, 2, 2, 2)})
	for _, c := range []struct {
		transform string
		f         func(float64) float64
	}{{"", func(x float64) float64 { return x }}, {"sqrt", math.Sqrt}, {"log1p", math.Log1p}, {"rate", func(x float64) float64 { return x / 0.1 }}} {
		rec, dropped, err := sp.Bin(BinOptions{Bin: 0.1, From: 0, To: 1, Transform: c.transform})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(dropped, []string{"c"}) || !reflect.DeepEqual(rec.Units, []string{"a", "b"}) {
			t.Fatalf("units %v dropped %v", rec.Units, dropped)
		}
		if len(rec.Trials) != 2 || rec.Trials[0].Name != "1" || rec.Trials[1].Name != "2" || rec.Trials[0].Len != 10 {
			t.Fatalf("trials %+v", rec.Trials)
		}
		wantA1 := []float64{0, 2, 0, 0, 0, 1, 0, 0, 0, 0}
		for k, w := range wantA1 {
			if got := rec.Trials[0].Unit(0)[k]; got != c.f(w) {
				t.Errorf("%q: trial 1 unit a bin %d = %v, want %v", c.transform, k, got, c.f(w))
			}
		}
		if got := rec.Trials[1].Unit(0)[1]; got != c.f(1) {
			t.Errorf("%q: trial 2 unit a bin 1 = %v", c.transform, got)
		}
	}
	for _, c := range []struct {
		opt  BinOptions
		want string
	}{
		{BinOptions{}, "bin width 0"},
		{BinOptions{Bin: 0.1, Smooth: "box:1"}, `unknown kind "box"`},
		{BinOptions{Bin: 0.1, Smooth: "exp:-1"}, "exp:TAU"},
		{BinOptions{Bin: 0.1, Transform: "cube"}, `transform "cube"`},
		{BinOptions{Bin: 0.1, From: 2, To: 1}, "empty time window"},
		{BinOptions{Bin: 0.1, From: 10, To: 11}, "no spikes in the window [10, 11)"},
	} {
		_, _, err := sp.Bin(c.opt)
		wantErr(t, err, c.want)
	}
}

func TestBadSpikes(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		cols []col
		want []string
	}{
		{[]col{{"unit", strs("a")}, {"t", floats(1)}}, []string{"needs columns unit and time"}},
		{[]col{{"unit", floats(1)}, {"time", floats(1)}}, []string{`column "unit"`, "strings or integers"}},
		{[]col{{"unit", strs("a")}, {"time", strs("x")}}, []string{`column "time"`, "not numeric"}},
		{[]col{{"unit", strs("a", "b")}, {"time", nullableFloats(1, nan)}}, []string{`column "time"`, "row 1", `unit "b"`}},
		{[]col{{"unit", strs()}, {"time", floats()}}, []string{"empty spike table"}},
	} {
		path := filepath.Join(t.TempDir(), "s.parquet")
		writeRaw(t, path, nil, 0, c.cols...)
		_, err := ReadSpikes(path)
		wantErr(t, err, append([]string{path}, c.want...)...)
	}
}

// An open end (To == 0) with a start reaches the bin of the last spike, as it does
// without a window.
func TestBinOpenEnd(t *testing.T) {
	s := &Spikes{Units: []string{"a"}, Unit: []int{0, 0, 0}, Time: []float64{0.2, 1.2, 3.05}}
	open, _, err := s.Bin(BinOptions{Bin: 0.5, From: 1})
	if err != nil {
		t.Fatal(err)
	}
	closed, _, err := s.Bin(BinOptions{Bin: 0.5, From: 1, To: 3.5})
	if err != nil {
		t.Fatal(err)
	}
	if open.Trials[0].Len != 5 || closed.Trials[0].Len != 5 {
		t.Fatalf("open end gives %d bins, [1, 3.5) gives %d; want 5", open.Trials[0].Len, closed.Trials[0].Len)
	}
	for k, v := range open.Trials[0].Data {
		if v != closed.Trials[0].Data[k] {
			t.Fatalf("bin %d: open end %v, closed %v", k, v, closed.Trials[0].Data[k])
		}
	}
	if _, _, err := s.Bin(BinOptions{Bin: 0.5, From: 4}); err == nil || !strings.Contains(err.Error(), "no spike") {
		t.Fatalf("From after the last spike: err = %v", err)
	}
}
