package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/models/kernel"
)

func TestKernelCommand(t *testing.T) {
	dir := t.TempDir()
	out, png := filepath.Join(dir, "K.parquet"), filepath.Join(dir, "K.png")
	stdout, _ := wantExit(t, 0, nil, "kernel", "../../testdata/iris.parquet", "--arch", "deep:L=2,phi=relu", "--sw2", "2",
		"--sb2", "0.1", "--standardize", "-o", out, "--plot", png)
	if !strings.Contains(stdout, "deep:L=2,phi=relu,sw2=2,sb2=0.1") || !strings.Contains(stdout, "150 examples") {
		t.Errorf("summary:\n%s", stdout)
	}
	tab, err := data.ReadTable(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Columns) != 151 || tab.Rows() != 150 || tab.Columns[0].Name != "label" {
		t.Fatalf("kernel table: %d columns, %d rows", len(tab.Columns), tab.Rows())
	}
	// The file holds the kernel of the standardised features.
	l, err := data.ReadLabelled("../../testdata/iris.parquet", data.LabelledOptions{})
	if err != nil {
		t.Fatal(err)
	}
	x := append([]float64(nil), l.X...)
	infer.Standardize(x, nil, l.D())
	a, _ := kernel.ParseArch("deep:L=2,phi=relu,sw2=2,sb2=0.1")
	k, _ := kernel.Compute(a, x, l.D(), kernel.Options{})
	for _, ij := range [][2]int{{0, 0}, {3, 77}, {149, 20}} {
		if got, want := tab.Col("k" + itoa(ij[1])).Float[ij[0]], k.K.At(ij[0], ij[1]); got != want {
			t.Errorf("K[%d,%d] = %v in the file, %v computed", ij[0], ij[1], got, want)
		}
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("heat map: %v", err)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "table.parquet"), filepath.Join(dir, "fig.svg")
	stdout, _ := wantExit(t, 0, nil, "compare", "../../testdata/wine.parquet", "--test-frac", "0.3", "--arch", "deep:1..3,phi=erf",
		"--arch", "recurrent:1..2,phi=relu,input=every,readout=sum", "--fit-hyper", "--standardize", "-o", out, "--plot", fig, "--json",
		"--finite-width", "n=16,256", "--networks", "4")
	var res struct {
		Train, Test int `json:"-"`
		Results     []struct {
			Rank        int     `json:"rank"`
			Arch        string  `json:"arch"`
			LogEvidence float64 `json:"log_evidence"`
			Accuracy    float64 `json:"accuracy"`
		} `json:"results"`
		FiniteWidth []struct {
			Family    string  `json:"family"`
			Width     int     `json:"width"`
			Deviation float64 `json:"deviation"`
		} `json:"finite_width"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(res.Results) != 5 {
		t.Fatalf("%d results, want 5", len(res.Results))
	}
	for i, r := range res.Results {
		if r.Rank != i+1 || (i > 0 && r.LogEvidence > res.Results[i-1].LogEvidence) {
			t.Errorf("row %d (%s) out of rank order", i, r.Arch)
		}
		if r.Accuracy < 0.85 {
			t.Errorf("%s: accuracy %v", r.Arch, r.Accuracy)
		}
	}
	if len(res.FiniteWidth) != 4 {
		t.Fatalf("%d finite-width rows, want 2 families × 2 widths", len(res.FiniteWidth))
	}
	for i := 0; i < 4; i += 2 {
		if lo, hi := res.FiniteWidth[i], res.FiniteWidth[i+1]; !(hi.Deviation < lo.Deviation) {
			t.Errorf("%s: deviation %v at width %d, %v at %d", lo.Family, lo.Deviation, lo.Width, hi.Deviation, hi.Width)
		}
	}
	tab, err := data.ReadTable(out)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows() != 5 || tab.Col("log_evidence") == nil || tab.Col("accuracy") == nil || tab.Col("arch") == nil {
		t.Errorf("table: %d rows, columns %v", tab.Rows(), tab.Columns)
	}
	if st, err := os.Stat(fig); err != nil || st.Size() < 1000 {
		t.Errorf("figure: %v", err)
	}
	// The text table, with a separate test file.
	stdout, _ = wantExit(t, 0, nil, "compare", "../../testdata/iris.parquet", "../../testdata/iris.parquet", "--arch", "deep:L=1")
	if !strings.Contains(stdout, "rank") || !strings.Contains(stdout, "deep:L=1,phi=erf") {
		t.Errorf("table:\n%s", stdout)
	}
}

func TestCompareCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	iris := "../../testdata/iris.parquet"
	wantExit(t, 2, []string{"-arch", `unknown kind "wide"`}, "compare", iris, "--arch", "wide:3")
	wantExit(t, 2, []string{"--test-frac"}, "compare", iris, "--test-frac", "1.5")
	wantExit(t, 2, []string{"--finite-width"}, "compare", iris, "--finite-width", "n=0")
	wantExit(t, 1, []string{"the file has 4"}, "compare", iris, "--max-features", "10")
	wantExit(t, 2, []string{"--plot", ".png or .svg"}, "kernel", iris, "--plot", "k.pdf")
	wantExit(t, 2, []string{"sw2"}, "kernel", iris, "--sw2", "-1")

	one := filepath.Join(dir, "one.parquet")
	writeLabelled(t, one, []float64{1, 2, 3}, []string{"a", "a", "a"})
	wantExit(t, 1, []string{"class"}, "compare", one)

	bad := filepath.Join(dir, "nan.parquet")
	writeLabelled(t, bad, []float64{1, math.NaN(), 3, 4}, []string{"a", "b", "a", "b"})
	wantExit(t, 1, []string{"f0"}, "kernel", bad)
}

// writeLabelled writes a one-feature labelled table.
func writeLabelled(t *testing.T, path string, f []float64, labels []string) {
	t.Helper()
	tab := &data.Table{Columns: []data.Column{{Name: "f0", Float: f}, {Name: "label", String: labels}}}
	if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
}
