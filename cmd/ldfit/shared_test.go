package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// --from without --to reaches the end: of the bin holding the last spike for a spike
// table, exactly as the window without either flag does.
func TestBinOptionsOpenEnd(t *testing.T) {
	s := &data.Spikes{Units: []string{"a", "b"}, Unit: []int{0, 1, 0, 1}, Time: []float64{0.2, 1.1, 2.4, 3.05}}
	rf := &recordingFlags{bin: 0.5, from: 1}
	o, err := rf.binOptions(s)
	if err != nil {
		t.Fatal(err)
	}
	open, _, err := s.Bin(o)
	if err != nil {
		t.Fatal(err)
	}
	closed, _, err := s.Bin(data.BinOptions{Bin: 0.5, From: 1, To: 3.5})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(open, closed) {
		t.Errorf("--from 1 alone binned\n%+v\nwant the same as --from 1 --to 3.5:\n%+v", open, closed)
	}
	if got := open.Trials[0].Unit(1); got[len(got)-1] != 1 {
		t.Errorf("the last spike (3.05) is not in the last bin: unit b %v", got)
	}
	rf.from = 4
	if _, err := rf.binOptions(s); err == nil || !strings.Contains(err.Error(), "after the last spike") {
		t.Errorf("--from after the last spike: error %v", err)
	}
}

// Every command that reads a recording or a spike table takes --from alone.
func TestFromWithoutTo(t *testing.T) {
	bin := []string{"--bin", "0.05", "--transform", "sqrt"}
	samples := func(args ...string) int {
		t.Helper()
		stdout, _ := wantExit(t, 0, nil, append([]string{"inspect", "--json"}, args...)...)
		var o struct{ Samples int }
		if err := json.Unmarshal([]byte(stdout), &o); err != nil {
			t.Fatalf("%v in %s", err, stdout)
		}
		return o.Samples
	}
	all := samples(append([]string{aplysia}, bin...)...)
	from := samples(append([]string{aplysia, "--from", "30"}, bin...)...)
	if want := all - 600; from != want {
		t.Errorf("spike table binned at 50 ms from 30 s: %d samples, want %d (all %d less the 600 before 30 s)", from, want, all)
	}

	dir := t.TempDir()
	rec, fit := filepath.Join(dir, "rec.parquet"), filepath.Join(dir, "fit.parquet")
	wantExit(t, 0, nil, append([]string{"convert", aplysia, rec, "-q"}, bin...)...)
	if got := samples(rec, "--from", "30"); got != from {
		t.Errorf("recording from 30 s: %d samples, want %d as from the spike table", got, from)
	}
	wantExit(t, 0, nil, "convert", rec, filepath.Join(dir, "late.arrow"), "--from", "30", "-q")
	for _, args := range [][]string{
		append([]string{"fit", aplysia, "-o", fit}, bin...),
		{"fit", rec, "--method", "nnls"},
		append([]string{"evaluate", aplysia}, bin...),
		{"dim", rec},
		append([]string{"dim", aplysia}, bin...),
		{"predict", rec, "--fit", fit},
	} {
		args = append(args, "--from", "30", "-q")
		if code, _, stderr := ldfit(t, args...); code != 0 {
			t.Errorf("ldfit %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
	}
}
