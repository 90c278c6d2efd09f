package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/infer"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// fitRecording simulates m and writes it to a Parquet file in a temporary folder.
func fitRecording(t *testing.T, m network.Model, steps int, seed uint64) string {
	t.Helper()
	rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: steps, BurnIn: 20, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	return path
}

type fitOutput struct {
	Method, Posterior string
	Step              float64
	Params            []struct {
		Name                       string
		Estimate, SE, Lower, Upper float64
	}
	Correlation [][]float64
	Warnings    []string
}

func (o fitOutput) param(t *testing.T, name string) (est, lo, hi float64) {
	t.Helper()
	for _, p := range o.Params {
		if p.Name == name {
			return p.Estimate, p.Lower, p.Upper
		}
	}
	t.Fatalf("no parameter %s in %+v", name, o.Params)
	return
}

func TestFitCommand(t *testing.T) {
	rec := fitRecording(t, network.Single(200, 1.5, 0.5, models.Tanh{}), 4096, 1)
	dir := t.TempDir()
	out, fig := filepath.Join(dir, "fit.parquet"), filepath.Join(dir, "gof.png")
	stdout, _ := wantExit(t, 0, nil, "fit", rec, "--json", "-o", out, "--plot", fig, "--segment", "256")
	var o fitOutput
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("%v in %s", err, stdout)
	}
	if g, lo, hi := o.param(t, "g"); math.Abs(g-1.5) > 0.05 || !(lo < g && g < hi) {
		t.Errorf("g = %v [%v, %v], want 1.5", g, lo, hi)
	}
	if o.Method != "spectral" || o.Posterior != infer.ErrorsJackknife {
		t.Errorf("method %q, posterior %q", o.Method, o.Posterior)
	}
	res, err := infer.ReadResult(out)
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := res.Param("g"); math.Abs(g.Estimate-o.Params[2].Estimate) > 1e-12 || len(res.Units) != 200 || res.Step != 0.1 || res.Phi[0] != "tanh" || res.Tau[0] != 1 {
		t.Errorf("result file: g %v, %d units, step %v, φ %v, τ %v", g, len(res.Units), res.Step, res.Phi, res.Tau)
	}
	png, err := os.ReadFile(fig)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("figure: %v, %d bytes", err, len(png))
	}

	// The table form.
	stdout, _ = wantExit(t, 0, nil, "fit", rec, "--segment", "256", "--errors", "fisher")
	for _, s := range []string{"parameter", "std. error", "95% interval", "g2", "goodness of fit", "laplace errors"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("table lacks %q:\n%s", s, stdout)
		}
	}
}

func TestFitCommandMethods(t *testing.T) {
	rec := fitRecording(t, network.Single(120, 1.6, 0.2, models.Tanh{}), 2000, 2)
	for _, args := range [][]string{
		{"--method", "exact"},
		{"--method", "nnls", "--segment", "128"},
		{"--posterior", "mcmc", "--mcmc-steps", "200", "--segment", "128"},
	} {
		stdout, _ := wantExit(t, 0, nil, append([]string{"fit", rec, "--json"}, args...)...)
		var o fitOutput
		if err := json.Unmarshal([]byte(stdout), &o); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if g, _, _ := o.param(t, "g"); math.Abs(g/1.6-1) > 0.1 {
			t.Errorf("%v: g = %v, want 1.6", args, g)
		}
		if o.Step != 0.1 {
			t.Errorf("%v: step %v reported, want the recording's 0.1", args, o.Step)
		}
	}
}

// The Whittle form identifies τ weakly (DESIGN.md §4): the profile is reported and the
// fit made at its best value.
func TestFitCommandTauProfile(t *testing.T) {
	rec := fitRecording(t, network.Single(200, 1.5, 0.5, models.Tanh{}), 4096, 5)
	stdout, _ := wantExit(t, 0, nil, "fit", rec, "--json", "--tau-profile", "0.25:4:9", "--segment", "256")
	var o struct {
		Tau        []float64
		TauProfile struct {
			Tau, Loglik  []float64
			Lower, Upper float64
		} `json:"tau_profile"`
	}
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatal(err)
	}
	p := o.TauProfile
	if len(p.Tau) != 9 || len(p.Loglik) != 9 {
		t.Fatalf("τ profile %+v; want 9 values", p)
	}
	best := 0
	for k, l := range p.Loglik {
		if l > p.Loglik[best] {
			best = k
		}
	}
	if o.Tau[0] != p.Tau[best] || !(p.Lower <= p.Tau[best] && p.Tau[best] <= p.Upper) {
		t.Errorf("fitted at τ = %v, profile %+v", o.Tau, p)
	}
}

func TestFitCommandCollinearWarning(t *testing.T) {
	m := network.Model{
		Pops: []network.Pop{
			{Name: "E", N: 150, Tau: 1, D: 0.5, Phi: models.Tanh{}},
			{Name: "I", N: 150, Tau: 1, D: 0.5, Phi: models.Tanh{}},
		},
		G2: [][]float64{{0.5, 1.5}, {2.5, 3.5}},
	}
	rec := fitRecording(t, m, 4096, 3)
	stdout, stderr := wantExit(t, 0, []string{"too similar to separate"}, "fit", rec, "--json", "--segment", "256")
	var o fitOutput
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Correlation) != 6 || o.Correlation[0][1] > -0.9 {
		t.Errorf("correlation %v", o.Correlation)
	}
	t.Log(stderr)
}

func TestFitCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rec *data.Recording) string {
		path := filepath.Join(dir, name)
		if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		return path
	}
	sim := func(m network.Model, steps int) *data.Recording {
		rec, err := network.Simulate(m, network.Options{Dt: 0.1, Steps: steps, BurnIn: 5, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	short := write("short.parquet", sim(network.Single(20, 1.5, 0.5, models.Tanh{}), 40))
	logStderr(t)(wantExit(t, 1, []string{"short.parquet"}, "fit", short, "--segment", "256"))

	rec := sim(network.Single(20, 1.5, 0.5, models.Tanh{}), 2048)
	for k := 0; k < rec.Trials[0].Len; k++ {
		rec.Trials[0].Data[3*rec.Trials[0].Len+k] = 0.25
	}
	constant := write("constant.parquet", rec)
	logStderr(t)(wantExit(t, 1, []string{"constant", rec.Units[3]}, "fit", constant))

	two := sim(network.Single(20, 1.5, 0.5, models.Tanh{}), 2048)
	two.Populations = make([]string, 20)
	for i := range two.Populations {
		two.Populations[i] = "E"
	}
	two.Populations[19] = "I"
	lonely := write("lonely.parquet", two)
	logStderr(t)(wantExit(t, 1, []string{"I"}, "fit", lonely, "--segment", "128"))

	// The exact method needs no segments: a short recording is fitted, without the
	// spectral goodness of fit.
	logStderr(t)(wantExit(t, 0, []string{"no goodness-of-fit check"}, "fit", short, "--method", "exact", "--segment", "256"))

	good := write("good.parquet", sim(network.Single(20, 1.5, 0.5, models.Tanh{}), 2048))
	logStderr(t)(wantExit(t, 2, []string{"--tau"}, "fit", good, "--tau", "0"))
	logStderr(t)(wantExit(t, 2, []string{"--tau"}, "fit", good, "--tau", "-1"))
	logStderr(t)(wantExit(t, 2, []string{"--method"}, "fit", good, "--method", "magic"))
	logStderr(t)(wantExit(t, 2, []string{"--segment"}, "fit", good, "--segment", "100"))
	logStderr(t)(wantExit(t, 2, []string{"--tau-profile"}, "fit", good, "--tau-profile", "2:1:5"))
	logStderr(t)(wantExit(t, 2, []string{"--plot"}, "fit", good, "--plot", filepath.Join(dir, "fig.jpg"), "--segment", "128"))

	// Non-stationary: the noise, and so the spectra, change halfway.
	drift := sim(network.Single(40, 1.5, 0.5, models.Tanh{}), 8192)
	tr := drift.Trials[0]
	for i := 0; i < drift.N(); i++ {
		u := tr.Unit(i)
		for k := tr.Len / 2; k < tr.Len; k++ {
			u[k] *= 3
		}
	}
	nonstat := write("drift.parquet", drift)
	logStderr(t)(wantExit(t, 0, []string{"not stationary"}, "fit", nonstat, "--segment", "256"))
}

// logStderr logs the messages of a command line, for the record of what users see.
func logStderr(t *testing.T) func(stdout, stderr string) {
	return func(_, stderr string) { t.Log(strings.TrimSpace(stderr)) }
}

// TestFitCommandAplysia runs the README's example on the real spike table, and a
// misspecified fit of it that must be flagged.
func TestFitCommandAplysia(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "aplysia_Jun0214da01_spikes.parquet")
	fig := filepath.Join(t.TempDir(), "gof.png")
	stdout, stderr := wantExit(t, 0, nil, "fit", path, "--bin", "0.05", "--smooth", "exp:0.2", "--transform", "sqrt",
		"--tau-profile", "0.1:10:21", "--plot", fig)
	for _, s := range []string{"136 units", "τ profile", "g2", "D", "goodness of fit"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q:\n%s", s, stdout)
		}
	}
	if strings.Contains(stderr, "does not reproduce") {
		t.Errorf("misfit warning on the README example: %s", stderr)
	}
	if _, err := os.Stat(fig); err != nil {
		t.Error(err)
	}
	// Unsmoothed counts with τ = 1 s: the spectrum is far from the model's.
	wantExit(t, 0, []string{"does not reproduce the residual spectrum"}, "fit", path, "--bin", "0.05", "--transform", "sqrt")
}

// --tau and --phi per population, by name, in any order; the semicolon form lets a φ
// carry parameters.
func TestFitCommandPerPopulation(t *testing.T) {
	m := network.Model{
		Pops: []network.Pop{
			{Name: "E", N: 100, Tau: 1, D: 0.5, Phi: models.Tanh{}},
			{Name: "I", N: 100, Tau: 0.3, D: 0.5, Phi: models.Tanh{}},
		},
		G2: [][]float64{{0.5, 1.5}, {2.5, 3.5}},
	}
	rec := fitRecording(t, m, 2048, 8)
	stdout, _ := wantExit(t, 0, nil, "fit", rec, "--json", "--segment", "256", "--tau", "I=0.3,E=1", "--phi", "I=tanh:a=1;E=tanh")
	var o struct {
		Populations, Phi []string
		Tau              []float64
	}
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.Populations, ",") != "E,I" || o.Tau[0] != 1 || o.Tau[1] != 0.3 || o.Phi[0] != "tanh" || o.Phi[1] != "tanh:a=1" {
		t.Errorf("populations %v, τ %v, φ %v", o.Populations, o.Tau, o.Phi)
	}
	wantExit(t, 2, []string{"--tau"}, "fit", rec, "--tau", "E=1,I")
	wantExit(t, 2, []string{"--phi"}, "fit", rec, "--phi", "E=nonsense")
}
