package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
)

func TestDMFTCommand(t *testing.T) {
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "theory.parquet"), filepath.Join(dir, "delta.svg")
	code, stdout, stderr := ldfit(t, "dmft", "--phi", "tanh", "--g", "2", "--D", "0.5", "-o", out, "--plot", fig)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2.0919855", "correlation time", "Lyapunov exponent", "converged"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	tab, err := data.ReadTable(out)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]float64{}
	for _, c := range tab.Columns {
		cols[c.Name] = c.Float
	}
	for _, name := range []string{"lag", "delta", "c_phi", "freq", "s_x", "s_phi"} {
		if len(cols[name]) == 0 {
			t.Errorf("column %s missing or empty", name)
		}
	}
	if d := cols["delta"]; len(d) > 0 && math.Abs(d[0]-2.0919855) > 1e-6 {
		t.Errorf("delta[0] = %g, want 2.0919855", d[0])
	}
	if st, err := os.Stat(fig); err != nil || st.Size() == 0 {
		t.Errorf("figure not written: %v", err)
	}

	code, stdout, _ = ldfit(t, "dmft", "--phi", "erf", "--g", "2", "--dt", "0.05", "--json")
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil {
		t.Fatalf("--json: exit %d, output %q", code, stdout)
	}
	if res["dt"].(float64) != 0.05 || res["delta0"].(float64) <= 2 {
		t.Errorf("--json: %v", res)
	}
}

func TestDMFTBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--g", "-1"}, "--g must be nonnegative"},
		{[]string{"--tau", "0"}, "--tau must be positive"},
		{[]string{"--phi", "tanhh"}, "unknown transfer function"},
		{[]string{"--dt", "0.1", "--ds", "0.2"}, "drop --ds"},
		{[]string{"--lags", "1"}, "--lags must be at least 2"},
		{[]string{"--plot", "x.pdf"}, ".png or .svg"},
		{[]string{"extra"}, "takes no arguments"},
		{[]string{"--edge", "--dt", "0.1"}, "--edge is for continuous time"},
	} {
		wantExit(t, 2, []string{c.msg}, append([]string{"dmft"}, c.args...)...)
	}
}
