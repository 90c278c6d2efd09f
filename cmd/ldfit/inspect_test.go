package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat"

	"github.com/ldfit/ldfit/data"
)

const aplysia = "../../testdata/aplysia_Jun0214da01_spikes.parquet"

// Published description of the file (testdata/README.md): 136 units, 23,681 spikes,
// 0–122.7 s.
const (
	aplysiaUnits  = 136
	aplysiaSpikes = 23681
)

func inspectJSON(t *testing.T, args ...string) fileInfo {
	t.Helper()
	out, _ := wantExit(t, 0, nil, append([]string{"inspect", "--json"}, args...)...)
	var info fileInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("inspect --json output does not parse: %v\n%s", err, out)
	}
	return info
}

func TestInspectSpikeTable(t *testing.T) {
	info := inspectJSON(t, aplysia)
	if info.Layout != "spike table" || info.Format != "Parquet" || info.Compression != "zstd" {
		t.Errorf("layout %q, format %q, compression %q", info.Layout, info.Format, info.Compression)
	}
	if info.Units != aplysiaUnits || info.Spikes != aplysiaSpikes || len(info.PerUnit) != aplysiaUnits {
		t.Errorf("units %d, spikes %d, per-unit rows %d; want %d units and %d spikes", info.Units, info.Spikes, len(info.PerUnit), aplysiaUnits, aplysiaSpikes)
	}
	if math.Abs(float64(info.End)-122.7) > 0.05 || info.Start < 0 || info.Start > 0.1 {
		t.Errorf("time %v to %v, want 0 to 122.7 s", info.Start, info.End)
	}
	sum, first := 0, math.Inf(1)
	for _, u := range info.PerUnit {
		first = min(first, float64(*u.First))
		sum += *u.Spikes
		if want := float64(*u.Spikes) / float64(info.Duration); math.Abs(float64(*u.Rate)-want) > 1e-12 {
			t.Errorf("unit %s: rate %v, want %v", u.Unit, *u.Rate, want)
		}
		if *u.First > *u.Last || *u.First < 0 || float64(*u.Last) > float64(info.End) {
			t.Errorf("unit %s: first %v, last %v", u.Unit, *u.First, *u.Last)
		}
	}
	if sum != aplysiaSpikes {
		t.Errorf("per-unit spikes sum to %d, want %d", sum, aplysiaSpikes)
	}
	if float64(info.Start) != first {
		t.Errorf("the span starts at %v, the first spike is at %v", info.Start, first)
	}

	// The table form carries the same numbers.
	out, _ := wantExit(t, 0, nil, "inspect", aplysia)
	for _, want := range []string{"layout    spike table", "units     136", "spikes    23681", "unit  spikes  rate (1/s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output has no %q:\n%s", want, out[:min(len(out), 800)])
		}
	}
}

func TestInspectSelection(t *testing.T) {
	all := inspectJSON(t, aplysia)
	count := map[string]int{}
	for _, u := range all.PerUnit {
		count[u.Unit] = *u.Spikes
	}
	// Flags after the file name, units and window selected.
	info := inspectJSON(t, aplysia, "--units", "n059,n068", "--from", "0", "--to", "30")
	if info.Units != 2 || info.Duration != 30 {
		t.Fatalf("units %d, duration %v; want 2 units over 30 s", info.Units, info.Duration)
	}
	for _, u := range info.PerUnit {
		if *u.Spikes > count[u.Unit] || *u.Spikes == 0 || float64(*u.Last) >= 30 {
			t.Errorf("unit %s: %d spikes, last %v in [0, 30) (whole file: %d)", u.Unit, *u.Spikes, *u.Last, count[u.Unit])
		}
	}
	info = inspectJSON(t, "--exclude", "n059", aplysia)
	if info.Units != aplysiaUnits-1 || info.Spikes != aplysiaSpikes-count["n059"] {
		t.Errorf("--exclude n059: %d units, %d spikes", info.Units, info.Spikes)
	}
	wantExit(t, 2, []string{`--units names unit "nope"`}, "inspect", aplysia, "--units", "nope")
}

// TestConvertRoundTrip bins the spike table into 20 ms, checks that binning kept every
// spike, and carries the recording through the long layout in Arrow IPC and back.
func TestConvertRoundTrip(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "aplysia_20ms.parquet")
	out, _ := wantExit(t, 0, nil, "convert", aplysia, wide, "--bin", "0.02")
	if !strings.Contains(out, "wrote "+wide) {
		t.Errorf("convert printed %q", out)
	}
	spikes := inspectJSON(t, aplysia)
	binned := inspectJSON(t, wide)
	if binned.Layout != "wide" || binned.Step != 0.02 || binned.Units != aplysiaUnits {
		t.Errorf("binned: layout %q, step %v, units %d", binned.Layout, binned.Step, binned.Units)
	}
	// ⌈122.722/0.02⌉ bins from 0 hold every spike.
	if want := int(math.Ceil(float64(spikes.End) / 0.02)); binned.Samples != want {
		t.Errorf("binned: %d samples, want %d", binned.Samples, want)
	}
	for i, u := range binned.PerUnit {
		got := float64(*u.Mean) * float64(binned.Samples)
		if want := *spikes.PerUnit[i].Spikes; u.Unit != spikes.PerUnit[i].Unit || math.Abs(got-float64(want)) > 1e-9 {
			t.Errorf("unit %s: binned counts sum to %v, spike table has %d", u.Unit, got, want)
		}
	}
	rec, err := data.ReadRecording(wide, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Meta["ldfit.bin"] != "0.02" || !strings.HasPrefix(rec.Meta["ldfit.command"], "ldfit convert ") || rec.Meta["ldfit.source"] != filepath.Base(aplysia) {
		t.Errorf("metadata %v", rec.Meta)
	}

	// Wide Parquet → long Arrow IPC (given with -o, flags first) → wide Arrow stream.
	long := filepath.Join(dir, "long.arrow")
	wantExit(t, 0, nil, "convert", "--long", "-o", long, wide)
	if got := inspectJSON(t, long); got.Layout != "long" || got.Format != "Arrow IPC file" || got.Samples != binned.Samples {
		t.Errorf("long: layout %q, format %q, samples %d", got.Layout, got.Format, got.Samples)
	}
	back := filepath.Join(dir, "back.arrows")
	wantExit(t, 0, nil, "convert", long, back, "-q")
	rec2, err := data.ReadRecording(back, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec2.Units) != len(rec.Units) || rec2.Step != rec.Step || len(rec2.Trials) != 1 {
		t.Fatalf("round trip: %d units, step %v, %d trials", len(rec2.Units), rec2.Step, len(rec2.Trials))
	}
	for i, u := range rec.Units {
		if rec2.Units[i] != u {
			t.Fatalf("unit %d: %q after the round trip, %q before", i, rec2.Units[i], u)
		}
	}
	for k, v := range rec.Trials[0].Data {
		if rec2.Trials[0].Data[k] != v {
			t.Fatalf("value %d: %v after the round trip, %v before", k, rec2.Trials[0].Data[k], v)
		}
	}

	// Smoothing and transforms pass through; a binned spike table is described as such.
	info := inspectJSON(t, aplysia, "--bin", "0.05", "--smooth", "exp:0.1", "--transform", "sqrt", "--to", "30")
	if info.Layout != "binned spike table" || info.Samples != 600 || info.Step != 0.05 {
		t.Errorf("binned inspect: layout %q, samples %d, step %v", info.Layout, info.Samples, info.Step)
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "w.parquet")
	wantExit(t, 0, nil, "convert", aplysia, wide, "--bin", "0.02", "-q")
	notParquet := filepath.Join(dir, "notes.parquet")
	if err := os.WriteFile(notParquet, []byte("unit,time\na,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.parquet")
	for _, c := range []struct {
		code int
		msgs []string
		args []string
	}{
		{2, []string{"is a spike table", "--bin"}, []string{"convert", aplysia, filepath.Join(dir, "x.parquet")}},
		{2, []string{"would overwrite the input file", wide}, []string{"convert", wide, wide}},
		{2, []string{"would overwrite the input file"}, []string{"convert", wide, "-o", wide}},
		{2, []string{"not both"}, []string{"convert", wide, filepath.Join(dir, "a.parquet"), "-o", filepath.Join(dir, "b.parquet")}},
		{2, []string{"missing OUT"}, []string{"convert", wide}},
		{2, []string{"missing IN OUT"}, []string{"convert"}},
		{2, []string{"cannot tell the output format", ".csv"}, []string{"convert", wide, filepath.Join(dir, "x.csv")}},
		{2, []string{"--compression must be zstd, snappy or none"}, []string{"convert", wide, filepath.Join(dir, "x.parquet"), "--compression", "gzip"}},
		{2, []string{"is a recording, not a spike table", "--bin"}, []string{"convert", wide, filepath.Join(dir, "x.parquet"), "--bin", "0.1"}},
		{2, []string{"--bin must be a positive width"}, []string{"convert", aplysia, filepath.Join(dir, "x.parquet"), "--bin", "-1"}},
		{2, []string{"invalid value", "-bin"}, []string{"convert", aplysia, filepath.Join(dir, "x.parquet"), "--bin", "fast"}},
		{1, []string{"ldfit: ", missing}, []string{"convert", missing, filepath.Join(dir, "x.parquet")}},
		{1, []string{"ldfit: ", notParquet, "not a Parquet or Arrow IPC file"}, []string{"convert", notParquet, filepath.Join(dir, "x.parquet")}},
		{1, []string{"ldfit: ", notParquet}, []string{"inspect", notParquet}},
		{1, []string{"ldfit: ", missing}, []string{"inspect", missing}},
		{2, []string{"remove -o"}, []string{"inspect", wide, "-o", filepath.Join(dir, "x.parquet")}},
		{2, []string{"missing FILE"}, []string{"inspect"}},
		{2, []string{"--to (1) must be after --from (2)"}, []string{"inspect", wide, "--from", "2", "--to", "1"}},
	} {
		wantExit(t, c.code, c.msgs, c.args...)
	}
	if _, err := os.Stat(filepath.Join(dir, "x.parquet")); err == nil {
		t.Error("a failed convert left its output file behind")
	}
}

// TestInspectNaN checks that a recording with NaNs is described, not refused, and that
// commands that compute refuse it until --nan is chosen.
func TestInspectNaN(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nan.parquet")
	x := []float64{1, 2, math.NaN(), 4, 5, 6 /* unit b: */, 1, 1, 1, 1, 2, 2}
	rec := &data.Recording{Units: []string{"a", "b"}, Step: 0.5, TimeUnit: "s",
		Trials: []data.Trial{{Start: 10, Len: 6, Data: x}}}
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	info := inspectJSON(t, path)
	if info.Samples != 5 || !strings.Contains(info.NaN, "dropped 1 time rows") || !strings.HasPrefix(info.Gaps, "1,") {
		t.Errorf("samples %d, NaN %q, gaps %q", info.Samples, info.NaN, info.Gaps)
	}
	if a := info.PerUnit[0]; *a.Mean != 3.6 || *a.Min != 1 || *a.Max != 6 {
		t.Errorf("unit a without its NaN: mean %v, min %v, max %v; want 3.6, 1, 6", *a.Mean, *a.Min, *a.Max)
	}
	// mean and sample standard deviation of 1, 1, 1, 2, 2 (the NaN row dropped).
	if b := info.PerUnit[1]; math.Abs(float64(*b.Mean)-1.4) > 1e-15 || math.Abs(float64(*b.Std)-math.Sqrt(0.3)) > 1e-15 {
		t.Errorf("unit b: mean %v, std %v; want 1.4, √0.3", *b.Mean, *b.Std)
	}
	info = inspectJSON(t, path, "--nan", "interpolate")
	if info.Samples != 6 || !strings.Contains(info.NaN, "interpolated 1") || *info.PerUnit[0].Mean != 3.5 {
		t.Errorf("interpolated: samples %d, NaN %q, mean of a %v", info.Samples, info.NaN, *info.PerUnit[0].Mean)
	}
	out, _ := wantExit(t, 0, nil, "inspect", path)
	if !strings.Contains(out, "described without them") || !strings.Contains(out, "t=11") && !strings.Contains(out, "dropped") {
		t.Errorf("inspect of a file with NaN:\n%s", out)
	}
	wantExit(t, 1, []string{path, "NaN", "--nan"}, "convert", path, filepath.Join(dir, "out.parquet"))
	wantExit(t, 0, nil, "convert", path, filepath.Join(dir, "out.parquet"), "--nan", "interpolate")
}

// TestSpikeTrialsAndSilentUnits uses a small spike table with two trials: per-trial
// windows, binning per trial, the warning for units that never fire in the window and
// -q silencing it.
func TestSpikeTrialsAndSilentUnits(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spikes.arrow")
	tab := &data.Table{Columns: []data.Column{
		{Name: "unit", String: []string{"a", "b", "a", "a", "c", "b"}},
		{Name: "time", Float: []float64{0.05, 0.15, 0.95, 0.25, 0.35, 1.45}},
		{Name: "trial", String: []string{"r1", "r1", "r1", "r2", "r2", "r2"}},
	}}
	if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	info := inspectJSON(t, path)
	if info.Layout != "spike table" || info.Format != "Arrow IPC file" || info.Units != 3 || info.Spikes != 6 || len(info.Trials) != 2 {
		t.Fatalf("layout %q, format %q, %d units, %d spikes, %d trials", info.Layout, info.Format, info.Units, info.Spikes, len(info.Trials))
	}
	// Trials span their first to last spike: [0.05, 0.95] and [0.25, 1.45], 2.1 s in all.
	if r1, r2 := info.Trials[0], info.Trials[1]; r1.Name != "r1" || r1.Start != 0.05 || r1.End != 0.95 || r1.Spikes != 3 ||
		r2.Name != "r2" || r2.Start != 0.25 || r2.End != 1.45 || r2.Spikes != 3 {
		t.Errorf("trials %+v", info.Trials)
	}
	if a := info.PerUnit[0]; a.Unit != "a" || *a.Spikes != 3 || math.Abs(float64(*a.Rate)-3/2.1) > 1e-12 {
		t.Errorf("unit a: %d spikes at %v/s, want 3 at 3/2.1", *a.Spikes, *a.Rate)
	}
	// With a window, rates are over the window.
	info = inspectJSON(t, path, "--from", "0.2", "--to", "1.2")
	if a := info.PerUnit[0]; info.Duration != 2 || *a.Spikes != 2 || *a.Rate != 1 {
		t.Errorf("window [0.2, 1.2): duration %v, unit a %d spikes at %v/s; want 2 s, 2 spikes, 1/s", info.Duration, *a.Spikes, *a.Rate)
	}

	// In [0, 0.3) unit c never fires: binning drops it with a warning, -q silences it.
	args := []string{"inspect", "--json", path, "--bin", "0.1", "--to", "0.3"}
	out, stderr := wantExit(t, 0, []string{"warning: " + path + ": 1 unit(s) never fire in the window and were dropped: c"}, args...)
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Units != 2 || len(info.Trials) != 2 || info.Samples != 6 || info.Layout != "binned spike table" {
		t.Errorf("binned: %d units, %d trials, %d samples, layout %q (stderr %q)", info.Units, len(info.Trials), info.Samples, info.Layout, stderr)
	}
	if _, stderr := wantExit(t, 0, nil, append(args, "-q")...); stderr != "" {
		t.Errorf("-q still prints %q", stderr)
	}
	// Selecting units of the binned table, including the silent one, which is not an
	// error; the warning names only silent units that were selected.
	if _, stderr := wantExit(t, 0, nil, append(args, "--exclude", "c")...); stderr != "" {
		t.Errorf("--exclude c still warns: %q", stderr)
	}
	out, _ = wantExit(t, 0, []string{"dropped: c"}, "inspect", "--json", path, "--bin", "0.1", "--to", "0.3", "--units", "b,c")
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatal(err)
	}
	if info.Units != 1 || info.PerUnit[0].Unit != "b" || *info.PerUnit[0].Mean != 1.0/6 {
		t.Errorf("--units b,c: %+v", info.PerUnit)
	}
	wantExit(t, 2, []string{`--exclude names unit "z"`}, "inspect", path, "--bin", "0.1", "--exclude", "z")
	wantExit(t, 2, []string{"leave no unit"}, "inspect", path, "--bin", "0.1", "--exclude", "a,b,c")
	wantExit(t, 2, []string{"spike table", "use --bin instead of --step"}, "inspect", path, "--bin", "0.1", "--step", "0.1")
}

func TestInspectLongPopulations(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "long.parquet")
	tab := &data.Table{Columns: []data.Column{
		{Name: "unit", String: []string{"e1", "e1", "e1", "i1", "i1", "i1"}},
		{Name: "t", Float: []float64{0, 0.1, 0.2, 0, 0.1, 0.2}},
		{Name: "value", Float: []float64{1, 2, 3, -1, -1, -4}},
		{Name: "population", String: []string{"E", "E", "E", "I", "I", "I"}},
	}}
	if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	out, _ := wantExit(t, 0, nil, "inspect", path)
	for _, want := range []string{"layout    long", "samples   3", "unit  population  mean", "e1    E              2"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
	info := inspectJSON(t, path, "--populations", "population")
	if i1 := info.PerUnit[1]; i1.Population != "I" || *i1.Mean != -2 || *i1.Min != -4 || *i1.Std != number(math.Sqrt(3)) {
		t.Errorf("unit i1: %+v", i1)
	}
}

// TestMoments checks the block-wise mean and variance against gonum's one-pass-over-all
// estimator, on data whose mean is large compared with its spread.
func TestMoments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, 10007)
	for i := range x {
		x[i] = 1e6 + rng.NormFloat64()
	}
	var m moments
	for lo := 0; lo < len(x); {
		hi := min(len(x), lo+1+rng.IntN(3000))
		m.add(x[lo:hi])
		lo = hi
	}
	m.add(nil)
	mean, std := stat.MeanStdDev(x, nil)
	if m.n != len(x) || math.Abs(m.mean-mean) > 1e-9 || math.Abs(math.Sqrt(m.m2/float64(m.n-1))/std-1) > 1e-9 {
		t.Errorf("moments: n %d, mean %v, std %v; want %d, %v, %v", m.n, m.mean, math.Sqrt(m.m2/float64(m.n-1)), len(x), mean, std)
	}
	if m.min != slices.Min(x) || m.max != slices.Max(x) {
		t.Errorf("min %v, max %v", m.min, m.max)
	}
}

// TestInspectScanMatchesRead checks that the streaming description of a recording equals
// the one from the recording read whole.
func TestInspectScanMatchesRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.parquet")
	wantExit(t, 0, nil, "convert", aplysia, path, "--bin", "0.05", "--transform", "sqrt")
	rf := &recordingFlags{nan: "error"}
	scanned, err := scanRecording(&env{stderr: io.Discard}, path, rf)
	if err != nil {
		t.Fatal(err)
	}
	rf.nan = "drop" // takes the path that reads the file whole
	read, err := inspectRecording(&env{}, path, rf)
	if err != nil {
		t.Fatal(err)
	}
	if scanned.Samples != read.Samples || scanned.Units != read.Units || scanned.Duration != read.Duration || len(scanned.Trials) != 1 {
		t.Fatalf("scan: %d samples, %d units, %v s; read: %d, %d, %v", scanned.Samples, scanned.Units, scanned.Duration, read.Samples, read.Units, read.Duration)
	}
	for i, s := range scanned.PerUnit {
		r := read.PerUnit[i]
		for _, p := range [][2]*number{{s.Mean, r.Mean}, {s.Std, r.Std}, {s.Min, r.Min}, {s.Max, r.Max}} {
			if math.Abs(float64(*p[0]-*p[1])) > 1e-12*math.Abs(float64(*p[1])) {
				t.Errorf("unit %s: scan %v, read %v", s.Unit, *p[0], *p[1])
			}
		}
	}
}

// TestInspectLabelled checks the description of the iris set against the summary
// statistics published with it (UCI iris.names: means 5.84, 3.05, 3.76, 1.20 and
// standard deviations 0.83, 0.43, 1.76, 0.76; 50 examples per class).
func TestInspectLabelled(t *testing.T) {
	info := inspectJSON(t, "../../testdata/iris.parquet")
	if info.Layout != "labelled set" || info.Examples != 150 || len(info.Classes) != 3 || len(info.PerFeature) != 4 {
		t.Fatalf("layout %q, %d examples, %d classes, %d features", info.Layout, info.Examples, len(info.Classes), len(info.PerFeature))
	}
	for _, c := range info.Classes {
		if c.Examples != 50 {
			t.Errorf("class %s: %d examples, want 50", c.Class, c.Examples)
		}
	}
	means := []float64{5.84, 3.05, 3.76, 1.20}
	sds := []float64{0.83, 0.43, 1.76, 0.76}
	for j, f := range info.PerFeature {
		if math.Abs(float64(*f.Mean)-means[j]) > 0.01 || math.Abs(float64(*f.Std)-sds[j]) > 0.01 {
			t.Errorf("feature %s: mean %v, std %v; published %v, %v", f.Unit, *f.Mean, *f.Std, means[j], sds[j])
		}
	}
	out, _ := wantExit(t, 0, nil, "inspect", "../../testdata/iris.parquet")
	if !strings.Contains(out, "classes   3: setosa (50), versicolor (50), virginica (50)") {
		t.Errorf("inspect iris:\n%s", out)
	}
}

// TestConvertSelection cuts units and a time window out of a recording.
func TestConvertSelection(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "w.parquet")
	wantExit(t, 0, nil, "convert", aplysia, wide, "--bin", "0.02", "-q")
	cut := filepath.Join(dir, "cut.parquet")
	out, _ := wantExit(t, 0, nil, "convert", wide, cut, "--units", "n068,n059", "--from", "10", "--to", "20", "--compression", "snappy", "--json")
	var r convertResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("convert --json: %v\n%s", err, out)
	}
	if r.Units != 2 || r.Samples != 500 || r.Step != 0.02 || r.Layout != "wide" || r.File != cut {
		t.Errorf("convert --json = %+v", r)
	}
	info := inspectJSON(t, cut)
	if info.Compression != "snappy" || math.Abs(float64(info.Start)-10) > 1e-9 || info.PerUnit[0].Unit != "n068" || info.PerUnit[1].Unit != "n059" {
		t.Errorf("cut: compression %q, start %v, units %s, %s", info.Compression, info.Start, info.PerUnit[0].Unit, info.PerUnit[1].Unit)
	}
}

// TestInspectResultTable shows a table that is not a recording, such as a fit result,
// with its columns, first rows and ldfit metadata.
func TestInspectResultTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fit.parquet")
	n := tableRows + 5
	tab := &data.Table{Columns: []data.Column{
		{Name: "parameter", String: make([]string, n)},
		{Name: "estimate", Float: make([]float64, n)},
		{Name: "count", Int: make([]int64, n)},
	}, Meta: map[string]string{"ldfit.method": "spectral"}}
	for i := range n {
		tab.Columns[0].String[i] = fmt.Sprintf("g%d", i)
		tab.Columns[1].Float[i] = 1.5 + float64(i)
		tab.Columns[2].Int[i] = int64(i)
	}
	if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	info := inspectJSON(t, path)
	if info.Layout != "table" || info.Rows != n || len(info.Columns) != 3 || info.NotRecording == "" {
		t.Fatalf("layout %q, %d rows, %d columns, not a recording because %q", info.Layout, info.Rows, len(info.Columns), info.NotRecording)
	}
	if c := info.Columns[1]; c.Name != "estimate" || c.Type != "float64" || len(c.Values) != tableRows || c.Values[1] != "2.5" {
		t.Errorf("column estimate: %+v", c)
	}
	out, _ := wantExit(t, 0, nil, "inspect", path)
	for _, want := range []string{"layout    table (not a recording: ", "meta      ldfit.method = spectral", "parameter  estimate  count", "g1              2.5      1", "… 5 more rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// TestConvertTable copies a labelled set and a result table between formats.
func TestConvertTable(t *testing.T) {
	dir := t.TempDir()
	iris := "../../testdata/iris.parquet"
	out := filepath.Join(dir, "iris.arrows")
	got, _ := wantExit(t, 0, nil, "convert", iris, out)
	if got != "wrote "+out+": table of 150 rows × 5 columns\n" {
		t.Errorf("convert printed %q", got)
	}
	a, b := inspectJSON(t, iris), inspectJSON(t, out)
	if b.Format != "Arrow IPC stream" || b.Layout != "labelled set" || b.Examples != a.Examples || len(b.Classes) != len(a.Classes) {
		t.Fatalf("copy: format %q, layout %q, %d examples, %d classes", b.Format, b.Layout, b.Examples, len(b.Classes))
	}
	for j := range a.PerFeature {
		if fa, fb := a.PerFeature[j], b.PerFeature[j]; fa.Unit != fb.Unit || *fa.Mean != *fb.Mean || *fa.Std != *fb.Std {
			t.Errorf("feature %s: mean %v, std %v after the copy; %v, %v before", fa.Unit, *fb.Mean, *fb.Std, *fa.Mean, *fa.Std)
		}
	}
	if tab, err := data.ReadTable(out); err != nil || tab.Meta["ldfit.source"] != "iris.parquet" || !strings.HasPrefix(tab.Meta["ldfit.command"], "ldfit convert") {
		t.Errorf("metadata of the copy: %v (%v)", tab.Meta, err)
	}
	// Recording flags and --long make no sense for a table: the recording error stands.
	wantExit(t, 1, []string{iris}, "convert", iris, filepath.Join(dir, "x.parquet"), "--units", "sepal_length_cm")
	wantExit(t, 1, []string{iris}, "convert", iris, filepath.Join(dir, "x.parquet"), "--long")
}

// TestConvertStreams checks that a wide recording is converted block by block and that
// the result equals the conversion of the recording read whole.
func TestConvertStreams(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "w.parquet")
	wantExit(t, 0, nil, "convert", aplysia, wide, "--bin", "0.02", "-q")
	convert := func(out string, args ...string) convertResult {
		t.Helper()
		stdout, _ := wantExit(t, 0, nil, append([]string{"convert", "--json", wide, out}, args...)...)
		var r convertResult
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	streamed := filepath.Join(dir, "s.arrow")
	whole := filepath.Join(dir, "w.arrow")
	if r := convert(streamed, "--long", "--from", "5", "--exclude", "n059"); !r.Streamed || r.Samples != 5887 || r.Units != aplysiaUnits-1 {
		t.Errorf("streamed conversion: %+v", r)
	}
	// --nan drop needs the whole recording in memory.
	if r := convert(whole, "--long", "--from", "5", "--exclude", "n059", "--nan", "drop"); r.Streamed {
		t.Errorf("--nan drop streamed: %+v", r)
	}
	a, err := data.ReadRecording(streamed, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := data.ReadRecording(whole, data.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Units, b.Units) || a.Step != b.Step || len(a.Trials) != 1 || len(b.Trials) != 1 ||
		a.Trials[0].Start != b.Trials[0].Start || !slices.Equal(a.Trials[0].Data, b.Trials[0].Data) {
		t.Errorf("streamed and whole conversions differ: %d/%d units, step %v/%v, start %v/%v",
			len(a.Units), len(b.Units), a.Step, b.Step, a.Trials[0].Start, b.Trials[0].Start)
	}
	if a.Trials[0].Start != 5 || a.Meta["ldfit.source"] != "w.parquet" || a.Meta["ldfit.bin"] != "0.02" {
		t.Errorf("streamed: start %v, metadata %v", a.Trials[0].Start, a.Meta)
	}
}

// TestConvertInterrupted checks that an interrupted conversion leaves no output.
func TestConvertInterrupted(t *testing.T) {
	dir := t.TempDir()
	wide := filepath.Join(dir, "w.parquet")
	wantExit(t, 0, nil, "convert", aplysia, wide, "--bin", "0.02", "-q")
	out := filepath.Join(dir, "out.arrow")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stderr strings.Builder
	e := &env{ctx: ctx, stdout: io.Discard, stderr: &stderr, name: "convert"}
	err := runConvert(e, []string{wide, out}, &recordingFlags{nan: "error"}, false, "")
	if code := exitCode(e, err); code != 1 || !strings.Contains(stderr.String(), "interrupted; no output written") {
		t.Errorf("exit code %d, stderr %q", code, stderr.String())
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 {
		t.Errorf("files left after the interrupt: %q", left)
	}
}
