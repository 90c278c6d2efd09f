package data

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestBadRecordings checks that every kind of bad recording is rejected with an error
// naming the file and the column or value at fault.
func TestBadRecordings(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		cols []col
		meta map[string]string
		opt  ReadOptions
		want []string
	}{
		{"non-numeric", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}, {"b", strs("x", "y")}}, nil, ReadOptions{}, []string{`column "b"`, "not numeric", "--exclude b"}},
		{"missing unit", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}}, nil, ReadOptions{Units: []string{"zz"}}, []string{`"zz"`, "units are a"}},
		{"missing exclude", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}}, nil, ReadOptions{Exclude: []string{"zz"}}, []string{`"zz"`, "exclude"}},
		{"NaN", []col{{"t", floats(0, 1, 2)}, {"a", floats(1, nan, 2)}}, nil, ReadOptions{}, []string{`column "a"`, "NaN", "t=1", "--nan=drop"}},
		{"null", []col{{"t", floats(0, 1, 2)}, {"a", nullableFloats(1, nan, 2)}}, nil, ReadOptions{}, []string{`column "a"`, "missing", "t=1"}},
		{"Inf", []col{{"t", floats(0, 1, 2)}, {"a", floats(1, inf, 2)}}, nil, ReadOptions{NaN: NaNDrop}, []string{`column "a"`, "infinite", "+Inf"}},
		{"leading NaN", []col{{"t", floats(0, 1, 2)}, {"a", floats(nan, 1, 2)}}, nil, ReadOptions{NaN: NaNInterpolate}, []string{`column "a"`, "leading NaN"}},
		{"trailing NaN", []col{{"t", floats(0, 1, 2)}, {"a", floats(0, 1, nan)}}, nil, ReadOptions{NaN: NaNInterpolate}, []string{`column "a"`, "trailing NaN"}},
		{"unsorted", []col{{"t", floats(0, 2, 1, 3)}, {"a", floats(1, 2, 3, 4)}}, nil, ReadOptions{}, []string{`column "t"`, "unsorted", "1 at row 2 follows 2"}},
		{"duplicated", []col{{"t", floats(0, 1, 1, 2)}, {"a", floats(1, 2, 3, 4)}}, nil, ReadOptions{}, []string{`column "t"`, "duplicated time stamp 1"}},
		{"non-uniform", []col{{"t", floats(0, 1, 2, 3.5)}, {"a", floats(1, 2, 3, 4)}}, nil, ReadOptions{}, []string{`column "t"`, "non-uniform", "t=2 and t=3.5"}},
		{"NaN time", []col{{"t", floats(0, nan, 2)}, {"a", floats(1, 2, 3)}}, nil, ReadOptions{}, []string{`column "t"`, "non-finite time"}},
		{"duplicate unit", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}, {"a", floats(1, 2)}}, nil, ReadOptions{}, []string{`duplicate unit name "a"`}},
		{"no step", []col{{"a", floats(1, 2)}}, nil, ReadOptions{}, []string{"dt", "Step"}},
		{"bad dt", []col{{"a", floats(1, 2)}}, map[string]string{"dt": "-1"}, ReadOptions{}, []string{`"dt"`, `"-1"`}},
		{"empty", []col{{"t", floats()}, {"a", floats()}}, nil, ReadOptions{}, []string{"empty"}},
		{"window", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}}, nil, ReadOptions{From: 5, To: 6}, []string{"no samples in the time window [5, 6)", "[0, 2)"}},
		{"spikes", []col{{"unit", strs("a")}, {"time", floats(1)}}, nil, ReadOptions{}, []string{"spike table", "--bin"}},
		{"long non-numeric value", []col{{"unit", strs("a")}, {"t", floats(1)}, {"value", strs("x")}}, nil, ReadOptions{}, []string{`column "value"`, "not numeric"}},
		{"long duplicate", []col{{"unit", strs("a", "a")}, {"t", floats(1, 1)}, {"value", floats(1, 2)}}, nil, ReadOptions{}, []string{`duplicated time stamp 1 for unit "a"`}},
		{"long non-uniform", []col{{"unit", strs("a", "a", "a", "a")}, {"t", floats(0, 1, 2, 3.5)}, {"value", floats(1, 2, 3, 4)}}, nil, ReadOptions{}, []string{`column "t"`, "non-uniform", "t=2 and t=3.5"}},
		{"long NaN time", []col{{"unit", strs("a", "a")}, {"t", floats(0, math.NaN())}, {"value", floats(1, 2)}}, nil, ReadOptions{}, []string{`column "t"`, "non-finite time stamp NaN in row 1"}},
		{"long missing", []col{{"unit", strs("a", "a", "b")}, {"t", floats(0, 1, 0)}, {"value", floats(1, 2, 3)}}, nil, ReadOptions{}, []string{`column "b"`, "missing value at t=1"}},
		{"long unit null", []col{{"unit", strs("a", "b")}, {"t", floats(0, 1)}, {"value", floats(1, 2)}}, nil, ReadOptions{Units: []string{"c"}}, []string{`no unit "c"`}},
		{"long two pops", []col{{"unit", strs("a", "a")}, {"t", floats(0, 1)}, {"value", floats(1, 2)}, {"population", strs("E", "I")}}, nil, ReadOptions{}, []string{`unit "a" has two populations`}},
		{"wide pops", []col{{"t", floats(0, 1)}, {"a", floats(1, 2)}}, map[string]string{"populations": `{"b":"E"}`}, ReadOptions{}, []string{`no population for unit "a"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, ext := range []string{".parquet", ".arrow"} {
				path := tmp(t, "bad"+ext)
				writeRaw(t, path, c.meta, 0, c.cols...)
				_, err := ReadRecording(path, c.opt)
				wantErr(t, err, append([]string{path}, c.want...)...)
			}
		})
	}
}

func TestNaNPolicies(t *testing.T) {
	nan := math.NaN()
	path := tmp(t, "nan.parquet")
	writeRaw(t, path, nil, 0, col{"t", floats(0, 1, 2, 3, 4, 5)}, col{"a", floats(0, 1, nan, nan, 4, 5)}, col{"b", floats(0, 10, 20, 30, 40, nan)})
	r, err := ReadRecording(path, ReadOptions{NaN: NaNDrop})
	if err != nil {
		t.Fatal(err)
	}
	// Rows 2, 3 and 5 go: the trial splits into [0,1] and [4].
	if len(r.Trials) != 2 || r.Trials[0].Len != 2 || r.Trials[1].Len != 1 || r.Trials[1].Start != 4 {
		t.Fatalf("drop gave %+v", r.Trials)
	}
	if r.Trials[1].Unit(1)[0] != 40 || r.Meta["ldfit.nan"] == "" {
		t.Errorf("drop: %+v, note %q", r.Trials[1], r.Meta["ldfit.nan"])
	}
	writeRaw(t, path, nil, 0, col{"t", floats(0, 1, 2, 3, 4)}, col{"a", floats(0, 1, nan, nan, 4)})
	r, err = ReadRecording(path, ReadOptions{NaN: NaNInterpolate})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Trials[0].Unit(0); got[2] != 2 || got[3] != 3 {
		t.Errorf("interpolated %v, want 0 1 2 3 4", got)
	}
	if r.Meta["ldfit.nan"] != "interpolated 2 NaN values in 1 units" {
		t.Errorf("note %q", r.Meta["ldfit.nan"])
	}
	if _, err := ParseNaNPolicy("zap"); err == nil {
		t.Error("ParseNaNPolicy accepted zap")
	}
	for _, p := range []NaNPolicy{NaNError, NaNDrop, NaNInterpolate} {
		if q, err := ParseNaNPolicy(p.String()); err != nil || q != p {
			t.Errorf("ParseNaNPolicy(%q) = %v, %v", p, q, err)
		}
	}
}

// TestReadOptions checks unit selection, exclusion, the time window and the step of a
// file without a time column.
func TestReadOptions(t *testing.T) {
	path := tmp(t, "w.parquet")
	writeRaw(t, path, map[string]string{"dt": "0.5", "start": "10"}, 3,
		col{"a", floats(0, 1, 2, 3, 4, 5, 6, 7)}, col{"b", ints(10, 11, 12, 13, 14, 15, 16, 17)}, col{"__index_level_0__", ints(0, 1, 2, 3, 4, 5, 6, 7)})
	r, err := ReadRecording(path, ReadOptions{Units: []string{"b", "a"}, Exclude: []string{"a"}, From: 11, To: 12.5})
	if err != nil {
		t.Fatal(err)
	}
	tr := r.Trials[0]
	if r.N() != 1 || r.Units[0] != "b" || r.Step != 0.5 || tr.Start != 11 || tr.Len != 3 || tr.Unit(0)[0] != 12 {
		t.Errorf("got units %v step %v trial %+v", r.Units, r.Step, tr)
	}
	r, err = ReadRecording(path, ReadOptions{From: 12})
	if err != nil || r.Trials[0].Len != 4 || r.Trials[0].Start != 12 {
		t.Errorf("From only: %+v, %v", r, err)
	}
	noDt := tmp(t, "n.arrow")
	writeRaw(t, noDt, nil, 0, col{"a", floats(1, 2, 3)})
	r, err = ReadRecording(noDt, ReadOptions{Step: 0.25})
	if err != nil || r.Step != 0.25 || r.Trials[0].Start != 0 {
		t.Errorf("Step option: %+v, %v", r, err)
	}
}

// TestLongLayout reads a long table with integer units, dictionary-encoded trials, rows
// in scrambled order and a population column, as a database would write it.
func TestLongLayout(t *testing.T) {
	path := tmp(t, "long.parquet")
	writeRaw(t, path, nil, 2,
		col{"trial", dictStrs("x", "x", "y", "x", "y", "x", "y", "y")},
		col{"unit", ints(7, 3, 3, 3, 7, 7, 7, 3)},
		col{"time", floats(0.1, 0.1, 5, 0, 5, 0, 5.1, 5.1)},
		col{"value", floats(1, 2, 3, 4, 5, 6, 7, 8)},
		col{"population", strs("I", "E", "E", "E", "I", "I", "I", "E")})
	r, err := ReadRecording(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Trials) != 2 || r.Units[0] != "7" || r.Populations[0] != "I" || math.Abs(r.Step-0.1) > 1e-12 {
		t.Fatalf("got %+v", r)
	}
	x, y := r.Trials[0], r.Trials[1]
	if x.Name != "x" || x.Start != 0 || x.Len != 2 || x.Unit(0)[0] != 6 || x.Unit(0)[1] != 1 || x.Unit(1)[0] != 4 {
		t.Errorf("trial x %+v", x)
	}
	if y.Name != "y" || y.Start != 5 || y.Unit(1)[1] != 8 {
		t.Errorf("trial y %+v", y)
	}
}

// TestBadFiles covers files that are not tables at all.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.parquet")
	if err := WriteRecording(good, testRecording(3, []int{500}, 5), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	goodArrow := filepath.Join(dir, "good.arrow")
	if err := WriteRecording(goodArrow, testRecording(3, []int{500}, 5), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	ba, _ := os.ReadFile(goodArrow)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	corrupt := append([]byte(nil), b...)
	for i := 100; i < len(corrupt)-200; i += 7 {
		corrupt[i] ^= 0x5a
	}
	corruptArrow := append([]byte(nil), ba...)
	for i := 200; i < len(corruptArrow)-300; i += 5 {
		corruptArrow[i] ^= 0x5a
	}
	cases := []struct {
		path string
		want []string
	}{
		{write("empty.parquet", nil), []string{"empty file"}},
		{write("text.parquet", []byte("t,a\n0,1\n")), []string{"not a Parquet or Arrow IPC file", `"t,a.0,1."`}},
		{write("trunc.parquet", b[:len(b)/2]), []string{"corrupt or truncated"}},
		{write("trunc.arrow", ba[:len(ba)/2]), []string{"corrupt or truncated"}},
		{write("corrupt.parquet", corrupt), []string{"corrupt"}},
		{write("corrupt.arrow", corruptArrow), []string{"corrupt"}},
		{filepath.Join(dir, "missing.parquet"), []string{"no such file"}},
		{dir, []string{"directory"}},
	}
	for _, c := range cases {
		_, err := ReadRecording(c.path, ReadOptions{})
		wantErr(t, err, append([]string{c.path}, c.want...)...)
		_, err = ReadTable(c.path)
		wantErr(t, err, c.path)
		_, err = ReadSpikes(c.path)
		wantErr(t, err, c.path)
		_, err = ReadLabelled(c.path, LabelledOptions{})
		wantErr(t, err, c.path)
	}
}
