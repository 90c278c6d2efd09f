package network

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// The streamed file reads back identically to the in-memory simulation, with the
// truth and the population labels, in both file formats. The block size is forced
// below the number of steps so that several blocks and a short last one are written.
func TestSimulateToReadsBack(t *testing.T) {
	m := Model{
		Pops: []Pop{
			{Name: "E", N: 2000, Tau: 1, D: 0.3, Phi: tanhPhi{}},
			{Name: "I", N: 500, Tau: 0.5, D: 0.2, Phi: tanhPhi{}},
		},
		G2:       [][]float64{{1.5, 1}, {1, 0.5}},
		Coupling: Sparse{P: 0.01},
	}
	// streamValues/N = 419 samples per block: 2 full blocks and one of 62.
	opt := Options{Dt: 0.1, Steps: 900, RecordEvery: 2, BurnIn: 1, Seed: 5}
	want, err := Simulate(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"parquet", "arrow"} {
		path := filepath.Join(t.TempDir(), "sim."+ext)
		if _, err := SimulateTo(path, m, opt, data.WriteOptions{Meta: map[string]string{"note": "x"}}); err != nil {
			t.Fatal(err)
		}
		got, err := data.ReadRecording(path, data.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Trials) != 1 || !slices.Equal(got.Trials[0].Data, want.Trials[0].Data) {
			t.Fatalf("%s: data differ from the in-memory simulation", ext)
		}
		if got.Step != want.Step || !slices.Equal(got.Units, want.Units) || !slices.Equal(got.Populations, want.Populations) {
			t.Errorf("%s: step %v units %d populations %v...", ext, got.Step, len(got.Units), got.Populations[:2])
		}
		tr, err := ReadTruth(got.Meta)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Populations[1].N != 500 || tr.Coupling != "sparse:p=0.01" || got.Meta["note"] != "x" {
			t.Errorf("%s: truth %+v, note %q", ext, tr, got.Meta["note"])
		}
	}
}
