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
// the -o file. With 6·2^7 samples the streamed blocks equal Participation's, so the
// streamed (default) and the in-memory (--nan drop) paths agree with it to rounding.
func TestDimCommand(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "sim.parquet")
	wantExit(t, 0, nil, "simulate", "-n", "50", "--g", "1.8", "--D", "0.1", "--dt", "0.1", "--steps", "768",
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
	if math.Abs(res.PR[0].Cross-want.Cross) > 1e-9 || math.Abs(res.PR[0].Naive-want.Naive) > 1e-9 || math.Abs(res.PR[0].CrossSE-want.CrossSE) > 1e-9 {
		t.Errorf("PR_x %+v, want %+v", res.PR[0], want)
	}
	inMemory, _ := wantExit(t, 0, nil, "dim", rec, "--blocks", "6", "--json", "--nan", "drop")
	var res2 struct{ PR []struct{ Cross float64 } }
	if err := json.Unmarshal([]byte(inMemory), &res2); err != nil || math.Abs(res2.PR[1].Cross-res.PR[1].Cross) > 1e-9 {
		t.Errorf("in-memory path: %s", inMemory)
	}
	tab, err := data.ReadTable(filepath.Join(dir, "dim.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if c := tab.Col("cross"); c == nil || math.Abs(c.Float[0]-res.PR[0].Cross) > 1e-12 {
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
