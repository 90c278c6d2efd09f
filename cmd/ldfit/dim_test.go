package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models/network"
)

// ldfit dim reports what network.Participation computes, in the table, in JSON and in
// the -o file.
func TestDimCommand(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "sim.parquet")
	wantExit(t, 0, nil, "simulate", "-n", "50", "--g", "1.8", "--D", "0.1", "--dt", "0.1", "--steps", "600",
		"--record-every", "5", "-q", "-o", rec)
	stdout, _ := wantExit(t, 0, nil, "dim", rec, "--blocks", "6", "--json", "-o", filepath.Join(dir, "dim.parquet"))
	var res struct {
		Units, Blocks int
		PR            []struct {
			Quantity     string
			Naive, Cross float64
			CrossSE      float64 `json:"cross_se"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	r, err := data.ReadRecording(rec, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := network.Participation(r, network.DimOptions{Blocks: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.PR) != 2 || res.PR[0].Quantity != "x" || res.PR[1].Quantity != "phi(x)" || res.Units != 50 || res.Blocks != 6 {
		t.Fatalf("output %s", stdout)
	}
	if math.Abs(res.PR[0].Cross-want.Cross) > 1e-9 || math.Abs(res.PR[0].Naive-want.Naive) > 1e-9 || res.PR[0].CrossSE != want.CrossSE {
		t.Errorf("PR_x %+v, want %+v", res.PR[0], want)
	}
	tab, err := data.ReadTable(filepath.Join(dir, "dim.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Col("cross"); c == nil || c.Float[0] != res.PR[0].Cross {
		t.Errorf("table column cross: %+v", c)
	}
	table, _ := wantExit(t, 0, nil, "dim", rec, "--phi", "none", "--blocks", "6")
	if len(table) == 0 {
		t.Error("no table printed")
	}
	wantExit(t, 2, []string{"--blocks"}, "dim", rec, "--blocks", "2")
	wantExit(t, 2, []string{"--phi"}, "dim", rec, "--phi", "nope")
	wantExit(t, 2, []string{"REC"}, "dim")
}
