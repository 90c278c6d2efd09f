package data

import (
	"os"
	"path/filepath"
	"testing"
)

// The seed corpora under testdata/fuzz are written by testdata/fuzzgen; plain go test
// runs them, go test -fuzz FuzzReadRecording explores from them.

func fuzzFile(t *testing.T, b []byte) string {
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func FuzzReadRecording(f *testing.F) { f.Fuzz(fuzzRecording) }

func fuzzRecording(t *testing.T, b []byte) {
	{
		path := fuzzFile(t, b)
		for _, opt := range []ReadOptions{{}, {NaN: NaNDrop, Step: 1}, {NaN: NaNInterpolate, From: 2, To: 5}} {
			r, err := ReadRecording(path, opt)
			if err != nil {
				continue
			}
			checkRecording(t, r)
		}
		s, err := Scan(path, ReadOptions{Step: 1})
		if err != nil {
			return
		}
		for s.Next() {
			b := s.Block()
			if len(b.Data) != b.Len*len(s.Units()) || b.Trial < 0 || b.Trial >= len(s.Trials()) {
				t.Fatalf("block %+v for %d units", b, len(s.Units()))
			}
		}
		s.Close()
	}
}

func checkRecording(t *testing.T, r *Recording) {
	t.Helper()
	if !(r.Step > 0) || len(r.Trials) == 0 || r.N() == 0 {
		t.Fatalf("accepted a recording with step %v, %d trials, %d units", r.Step, len(r.Trials), r.N())
	}
	seen := map[string]bool{}
	for _, u := range r.Units {
		if seen[u] {
			t.Fatalf("accepted duplicate unit %q", u)
		}
		seen[u] = true
	}
	for _, tr := range r.Trials {
		if tr.Len <= 0 || len(tr.Data) != tr.Len*r.N() {
			t.Fatalf("trial of %d samples holds %d values for %d units", tr.Len, len(tr.Data), r.N())
		}
	}
}

func FuzzReadSpikes(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sp, err := ReadSpikes(fuzzFile(t, b))
		if err != nil {
			return
		}
		if len(sp.Unit) != len(sp.Time) || sp.Trial != nil && len(sp.Trial) != len(sp.Time) {
			t.Fatalf("%d units, %d times, %d trials", len(sp.Unit), len(sp.Time), len(sp.Trial))
		}
		if len(sp.Time) > 0 && maxOf(sp.Time)-minOf(sp.Time) < 1e3 {
			if rec, _, err := sp.Bin(BinOptions{Bin: 0.05, Smooth: "gauss:0.1"}); err == nil {
				checkRecording(t, rec)
			}
		}
	})
}

func FuzzReadLabelled(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ReadLabelled(fuzzFile(t, b), LabelledOptions{})
		if err != nil {
			return
		}
		if len(l.X) != l.P()*l.D() || len(l.Classes) < 2 {
			t.Fatalf("P %d D %d with %d values, %d classes", l.P(), l.D(), len(l.X), len(l.Classes))
		}
		for _, y := range l.Y {
			if y < 0 || y >= len(l.Classes) {
				t.Fatalf("class index %d of %d", y, len(l.Classes))
			}
		}
		if l.P() >= 4 {
			if tr, te, err := l.Split(0.5, 1); err == nil && tr.P()+te.P() != l.P() {
				t.Fatalf("split %d + %d of %d", tr.P(), te.P(), l.P())
			}
		}
	})
}

func FuzzReadTable(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := ReadTable(fuzzFile(t, b))
		if err != nil {
			return
		}
		for _, c := range tab.Columns {
			if c.kinds() != 1 || c.Len() != tab.Rows() {
				t.Fatalf("column %q: %d kinds, %d values of %d rows", c.Name, c.kinds(), c.Len(), tab.Rows())
			}
		}
	})
}
