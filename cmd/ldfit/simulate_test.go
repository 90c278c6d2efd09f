package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// ldfit simulate writes what network.Simulate computes for the same model and seed.
func TestSimulateCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sim.parquet")
	stdout, _ := wantExit(t, 0, nil, "simulate", "-n", "60", "--g", "1.2", "--D", "0.3", "--dt", "0.1",
		"--steps", "80", "--record-every", "2", "--burn-in", "5", "--seed", "4", "--json", "-o", out)
	var res struct {
		Units, Samples int
		Step           float64
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Units != 60 || res.Samples != 80 || res.Step != 0.2 {
		t.Fatalf("output %q (%v)", stdout, err)
	}
	got, err := data.ReadRecording(out, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	m := network.Single(60, 1.2, 0.3, models.Tanh{})
	m.J0, m.Mu = [][]float64{{0}}, []float64{0}
	want, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: 80, RecordEvery: 2, BurnIn: 5, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Trials[0].Data, want.Trials[0].Data) {
		t.Error("file differs from network.Simulate with the same parameters")
	}
	tr, err := network.ReadTruth(got.Meta)
	if err != nil || tr.Populations[0].D != 0.3 || tr.G2[0][0] != 1.2*1.2 {
		t.Errorf("truth %+v (%v)", tr, err)
	}
}

func TestSimulateCommandPopulations(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sim.arrow")
	stdout, _ := wantExit(t, 0, nil, "simulate", "--populations", "E:40,I:10", "--g2", "2,1;1.5,0.5",
		"--tau-pop", "1,0.5", "--D-pop", "0.2,0.1", "--phi-pop", "tanh,linear", "--mu-pop", "0,0.1",
		"--J0-pop", "1,-2;1,-2", "--dt", "0.05", "--steps", "30", "-o", out)
	if stdout == "" {
		t.Error("no summary printed")
	}
	rec, err := data.ReadRecording(out, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.N() != 50 || rec.Populations[39] != "E" || rec.Populations[40] != "I" {
		t.Errorf("%d units, populations %v", rec.N(), rec.Populations)
	}
	tr, _ := network.ReadTruth(rec.Meta)
	if p := tr.Populations[1]; p.Tau != 0.5 || p.D != 0.1 || p.Phi != "linear" || tr.Mu[1] != 0.1 || tr.J0[0][1] != -2 {
		t.Errorf("truth %+v", tr)
	}
}

func TestSimulateCommandRandomMode(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sim.parquet")
	stdout, _ := wantExit(t, 0, nil, "simulate", "-n", "200", "--coupling", "random-mode:alpha=0.5,PR=30,rho=0.2",
		"--steps", "10", "--json", "-o", out)
	var res struct{ Realised map[string]float64 }
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Realised["PR_D"]-30) > 1e-6 || res.Realised["P"] != 100 || math.Abs(res.Realised["g"]-1.5) > 1e-12 {
		t.Errorf("realised %v", res.Realised)
	}
}

func TestSimulateCommandErrors(t *testing.T) {
	dir := t.TempDir()
	o := filepath.Join(dir, "x.parquet")
	wantExit(t, 2, []string{"-o FILE"}, "simulate", "-n", "10")
	wantExit(t, 2, []string{"--populations"}, "simulate", "--g2", "1", "-o", o)
	wantExit(t, 2, []string{"--g2"}, "simulate", "--populations", "E:5,I:5", "-o", o)
	wantExit(t, 2, []string{"--g2", "3 rows for 2 populations"}, "simulate", "--populations", "E:5,I:5", "--g2", "1,1;1,1;1,1", "-o", o)
	wantExit(t, 2, []string{"--populations", "NAME:SIZE"}, "simulate", "--populations", "E800", "--g2", "1", "-o", o)
	wantExit(t, 2, []string{"--phi"}, "simulate", "--phi", "nope", "-o", o)
	wantExit(t, 2, []string{"--coupling"}, "simulate", "--coupling", "ring", "-o", o)
	wantExit(t, 2, []string{"τ"}, "simulate", "--tau", "-1", "-o", o)
	wantExit(t, 1, []string{"dt"}, "simulate", "--dt", "2", "-o", o)
	wantExit(t, 1, []string{"absent.parquet"}, "simulate", "-n", "3", "--coupling-file", filepath.Join(dir, "absent.parquet"), "-o", o)
}
