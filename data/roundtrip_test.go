package data

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

func sameRecording(t *testing.T, got, want *Recording) {
	t.Helper()
	if !reflect.DeepEqual(got.Units, want.Units) {
		t.Fatalf("units %v, want %v", got.Units, want.Units)
	}
	if !reflect.DeepEqual(got.Populations, want.Populations) {
		t.Errorf("populations %v, want %v", got.Populations, want.Populations)
	}
	if got.Step != want.Step || got.TimeUnit != want.TimeUnit {
		t.Errorf("step %v %s, want %v %s", got.Step, got.TimeUnit, want.Step, want.TimeUnit)
	}
	if len(got.Trials) != len(want.Trials) {
		t.Fatalf("%d trials, want %d", len(got.Trials), len(want.Trials))
	}
	for k, w := range want.Trials {
		g := got.Trials[k]
		if g.Name != w.Name || g.Len != w.Len || math.Abs(g.Start-w.Start) > 1e-12 {
			t.Fatalf("trial %d: %q start %v len %d, want %q %v %d", k, g.Name, g.Start, g.Len, w.Name, w.Start, w.Len)
		}
		for i := range w.Data {
			if math.Float64bits(g.Data[i]) != math.Float64bits(w.Data[i]) {
				t.Fatalf("trial %d value %d: %v, want %v", k, i, g.Data[i], w.Data[i])
			}
		}
	}
}

// TestRoundTrip writes and reads back every format and layout with a checked allocator:
// values bit for bit, units, populations, trials, step, metadata, and no Arrow memory
// left allocated.
func TestRoundTrip(t *testing.T) {
	trials := testRecording(5, []int{300, 17}, 1)
	single := testRecording(4, []int{1000}, 8) // no trial column: the direct Parquet decoder
	for _, rec := range []*Recording{trials, single} {
		for _, ext := range []string{".parquet", ".arrow", ".feather", ".arrows"} {
			for _, long := range []bool{false, true} {
				for _, comp := range []string{"", "zstd", "none"} {
					name := fmt.Sprintf("%s/long=%v/%s/trials=%d", ext, long, comp, len(rec.Trials))
					t.Run(name, func(t *testing.T) {
						mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
						defer mem.AssertSize(t, 0)
						path := tmp(t, "rec"+ext)
						err := WriteRecording(path, rec, WriteOptions{Long: long, Compression: comp, Meta: map[string]string{"note": "x"}, mem: mem})
						if err != nil {
							t.Fatal(err)
						}
						got, err := ReadRecording(path, ReadOptions{mem: mem})
						if err != nil {
							t.Fatal(err)
						}
						sameRecording(t, got, rec)
						if got.Meta["note"] != "x" || got.Meta["origin"] != "test" || got.Meta[metaVersion] == "" {
							t.Errorf("metadata %v lacks note, origin or version", got.Meta)
						}
					})
				}
			}
		}
	}
}

// TestRewriteSubset reads a subset of units and writes it again: the populations and
// units of the new file describe the subset, not the source file.
func TestRewriteSubset(t *testing.T) {
	rec := testRecording(4, []int{20}, 11)
	src, dst := tmp(t, "src.parquet"), tmp(t, "dst.arrow")
	if err := WriteRecording(src, rec, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	sub, err := ReadRecording(src, ReadOptions{Units: []string{"uc", "ua"}})
	if err != nil {
		t.Fatal(err)
	}
	sub.Populations = nil
	if err := WriteRecording(dst, sub, WriteOptions{Inputs: []string{src}}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecording(dst, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Units, []string{"uc", "ua"}) || got.Populations != nil || got.Meta["units"] != `["uc","ua"]` || got.Meta["origin"] != "test" {
		t.Errorf("units %v populations %v meta %v", got.Units, got.Populations, got.Meta)
	}
}

func TestRoundTripSnappyParquet(t *testing.T) {
	rec := testRecording(3, []int{50}, 2)
	path := tmp(t, "r.parquet")
	if err := WriteRecording(path, rec, WriteOptions{Compression: "snappy"}); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRecording(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameRecording(t, got, rec)
	err = WriteRecording(tmp(t, "r.arrow"), rec, WriteOptions{Compression: "snappy"})
	wantErr(t, err, "snappy", "Arrow IPC")
}

func TestTableRoundTrip(t *testing.T) {
	tab := &Table{
		Columns: []Column{
			{Name: "param", String: []string{"g", "D", "tau"}},
			{Name: "estimate", Float: []float64{1.5, 0.5, math.Pi}},
			{Name: "n", Int: []int64{1, -2, 1 << 60}},
		},
		Meta: map[string]string{"model": "tanh"},
	}
	for _, ext := range []string{".parquet", ".arrow", ".arrows"} {
		t.Run(ext, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := tmp(t, "tab"+ext)
			if err := WriteTable(path, tab, WriteOptions{mem: mem}); err != nil {
				t.Fatal(err)
			}
			got, err := readTable(path, mem)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Columns, tab.Columns) {
				t.Errorf("columns %+v, want %+v", got.Columns, tab.Columns)
			}
			if got.Meta["model"] != "tanh" || got.Col("estimate").Float[2] != math.Pi || got.Col("nope") != nil {
				t.Errorf("meta %v or Col wrong", got.Meta)
			}
		})
	}
}

func TestWriteTableBad(t *testing.T) {
	dir := t.TempDir()
	wantErr(t, WriteTable(filepath.Join(dir, "x.parquet"), &Table{}, WriteOptions{}), "no columns")
	wantErr(t, WriteTable(filepath.Join(dir, "x.csv"), &Table{Columns: []Column{{Name: "a", Float: []float64{1}}}}, WriteOptions{}), "x.csv", ".parquet")
	wantErr(t, WriteTable(filepath.Join(dir, "x.parquet"), &Table{Columns: []Column{{Name: "a", Float: []float64{1}}, {Name: "b", Int: []int64{1, 2}}}}, WriteOptions{}), `"b"`, "2 values")
	wantErr(t, WriteTable(filepath.Join(dir, "x.parquet"), &Table{Columns: []Column{{Name: "a", Float: []float64{1}, Int: []int64{1}}}}, WriteOptions{}), `"a"`, "more than one")
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed writes left %d files", len(ents))
	}
}

// TestStreamingWriter writes a recording in uneven blocks through CreateRecording with a
// row group every few samples and reads back the concatenation.
func TestStreamingWriter(t *testing.T) {
	want := testRecording(4, []int{1000}, 3)
	want.Populations, want.Meta = nil, nil
	for _, ext := range []string{".parquet", ".arrows"} {
		path := tmp(t, "sim"+ext)
		w, err := CreateRecording(path, want.Units, want.Step, want.Trials[0].Start, WriteOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w.rows = 64 // several row groups
		tr := want.Trials[0]
		for off := 0; off < tr.Len; {
			n := min(37+off%50, tr.Len-off)
			block := make([]float64, 0, n*4)
			for i := 0; i < 4; i++ {
				block = append(block, tr.Unit(i)[off:off+n]...)
			}
			if err := w.Write(block, n); err != nil {
				t.Fatal(err)
			}
			off += n
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatal("target exists before Close")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := ReadRecording(path, ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sameRecording(t, got, want)
		if ext == ".parquet" {
			s, _ := openSource(path, nil)
			if g := s.pieces(); g != (1000+63)/64 {
				t.Errorf("%d row groups, want %d", g, (1000+63)/64)
			}
			s.Close()
		}
	}
}

func TestAtomicWrite(t *testing.T) {
	dir := t.TempDir()
	rec := testRecording(2, []int{10}, 4)
	in := filepath.Join(dir, "in.parquet")
	if err := WriteRecording(in, rec, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(in)
	// The same file by another name.
	wantErr(t, WriteRecording(in, rec, WriteOptions{Inputs: []string{in}}), "refusing to overwrite", "in.parquet")
	wantErr(t, WriteRecording(filepath.Join(dir, ".", "sub", "..", "in.parquet"), rec, WriteOptions{Inputs: []string{in}}), "refusing to overwrite")
	link := filepath.Join(dir, "link.parquet")
	if err := os.Link(in, link); err == nil {
		wantErr(t, WriteRecording(link, rec, WriteOptions{Inputs: []string{in}}), "same file")
	}
	// A failed write (bad block) leaves the existing target intact and no temporary file.
	w, err := CreateRecording(in, rec.Units, 0.1, 0, WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, w.Write(make([]float64, 3), 2), "3 values", "2 samples × 2 units")
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(in)
	if string(after) != string(before) {
		t.Error("aborted write changed the existing file")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != "in.parquet" && e.Name() != "link.parquet" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	wantErr(t, WriteRecording(filepath.Join(dir, "out.csv"), rec, WriteOptions{}), "out.csv", "unknown output extension")
	wantErr(t, WriteRecording(filepath.Join(dir, "no", "such", "dir.parquet"), rec, WriteOptions{}), "dir.parquet")
	dup := &Recording{Units: []string{"a", "a"}, Step: 1, Trials: []Trial{{Len: 1, Data: []float64{1, 2}}}}
	wantErr(t, WriteRecording(filepath.Join(dir, "d.parquet"), dup, WriteOptions{}), `duplicate unit name "a"`)
	bad := &Recording{Units: []string{"a"}, Step: 1, Trials: []Trial{{Len: 3, Data: []float64{1, 2}}}}
	wantErr(t, WriteRecording(filepath.Join(dir, "b.parquet"), bad, WriteOptions{}), "2 values", "3 samples")
}

// TestFastPathMatchesArrow reads nullable DOUBLE columns over several row groups through
// the direct Parquet decoder (ReadRecording) and through Arrow (ReadTable).
func TestFastPathMatchesArrow(t *testing.T) {
	n := 1000
	a := seq(n, func(i int) float64 { return math.Sin(float64(i)) })
	b := seq(n, func(i int) float64 {
		if i%17 == 3 {
			return math.NaN()
		}
		return float64(i) / 7
	})
	path := tmp(t, "f.parquet")
	writeRaw(t, path, nil, 99, col{"t", floats(seq(n, func(i int) float64 { return float64(i) * 0.25 })...)}, col{"a", floats(a...)}, col{"b", nullableFloats(b...)})
	s, _ := openSource(path, nil)
	if _, ok := s.doubleLeaves([]int{0, 1, 2}); !ok || s.pieces() != 11 {
		t.Fatalf("fast path not taken or %d row groups", s.pieces())
	}
	s.Close()
	r, err := ReadRecording(path, ReadOptions{NaN: NaNInterpolate})
	if err != nil {
		t.Fatal(err)
	}
	tab, err := ReadTable(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		wantB := tab.Col("b").Float[i]
		if math.IsNaN(wantB) != (i%17 == 3) {
			t.Fatalf("Arrow path: b[%d] = %v", i, wantB)
		}
		if math.IsNaN(wantB) {
			wantB = (tab.Col("b").Float[i-1] + tab.Col("b").Float[i+1]) / 2
		}
		if r.Trials[0].Unit(0)[i] != tab.Col("a").Float[i] || math.Abs(r.Trials[0].Unit(1)[i]-wantB) > 1e-12 {
			t.Fatalf("row %d: fast %v %v, Arrow %v %v", i, r.Trials[0].Unit(0)[i], r.Trials[0].Unit(1)[i], tab.Col("a").Float[i], wantB)
		}
	}
}

// TestDirectPages checks that the direct page reader takes ldfit's own files (every
// compression) and agrees with the Parquet library, and declines other chunks.
func TestDirectPages(t *testing.T) {
	rec := testRecording(3, []int{5000}, 9)
	for _, comp := range []string{"zstd", "snappy", "none"} {
		path := tmp(t, "d.parquet")
		w, err := CreateRecording(path, rec.Units, rec.Step, 0, WriteOptions{Compression: comp})
		if err != nil {
			t.Fatal(err)
		}
		w.rows = 1500
		if err := w.Write(rec.Trials[0].Data, 5000); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		tab, err := ReadTable(path)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := openSource(path, nil)
		off := 0
		for rg := 0; rg < s.pieces(); rg++ {
			n := int(s.pqFile.MetaData().RowGroups[rg].NumRows)
			for leaf := 0; leaf < 4; leaf++ {
				dst := make([]float64, n)
				if err := s.readPlainDoubles(rg, leaf, dst); err != nil {
					t.Fatalf("%s: row group %d column %d: %v", comp, rg, leaf, err)
				}
				want := tab.Columns[leaf].Float[off : off+n]
				if !reflect.DeepEqual(dst, want) {
					t.Fatalf("%s: row group %d column %d differs from the library", comp, rg, leaf)
				}
			}
			off += n
		}
		s.Close()
	}
	path := tmp(t, "n.parquet")
	writeRaw(t, path, nil, 0, col{"a", nullableFloats(1, math.NaN())})
	s, _ := openSource(path, nil)
	defer s.Close()
	if err := s.readPlainDoubles(0, 0, make([]float64, 2)); err != errNotPlain {
		t.Errorf("nullable column: %v, want errNotPlain", err)
	}
}
