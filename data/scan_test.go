package data

import (
	"math"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// scanAll concatenates the blocks of a scan into a recording, merging consecutive blocks
// of one trial.
func scanAll(t *testing.T, path string, opt ReadOptions) (*Recording, int) {
	t.Helper()
	s, err := Scan(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := &Recording{Units: s.Units(), Populations: s.Populations(), Step: s.Step(), TimeUnit: "s"}
	nb := 0
	for s.Next() {
		b := s.Block()
		nb++
		name := s.Trials()[b.Trial]
		if k := len(rec.Trials) - 1; k >= 0 && rec.Trials[k].Name == name {
			old := rec.Trials[k]
			merged := Trial{Name: name, Start: old.Start, Len: old.Len + b.Len}
			for i := range rec.Units {
				merged.Data = append(merged.Data, old.Unit(i)...)
				merged.Data = append(merged.Data, b.Unit(i)...)
			}
			rec.Trials[k] = merged
			continue
		}
		tr := Trial{Name: name, Start: b.Start, Len: b.Len, Data: append([]float64(nil), b.Data...)}
		rec.Trials = append(rec.Trials, tr)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return rec, nb
}

func TestScanMatchesRead(t *testing.T) {
	rec := testRecording(3, []int{500, 130}, 6)
	for _, ext := range []string{".parquet", ".arrow", ".arrows"} {
		for _, long := range []bool{false, true} {
			path := tmp(t, "s"+ext)
			w, err := createRecording(path, rec, true, rec.Trials[0].Start, WriteOptions{Long: long})
			if err != nil {
				t.Fatal(err)
			}
			w.rows = 100
			for _, tr := range rec.Trials {
				w.startTrial(tr.Name, tr.Start)
				if err := w.Write(tr.Data, tr.Len); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, nb := scanAll(t, path, ReadOptions{})
			sameRecording(t, got, rec)
			if !long && nb != 5+2 {
				t.Errorf("%s: %d blocks, want 7 (one per row group)", ext, nb)
			}
			opt := ReadOptions{From: rec.Trials[0].Start + 0.1, To: rec.Trials[1].Start + 0.05}
			want, err := ReadRecording(path, opt)
			if err != nil {
				t.Fatal(err)
			}
			got, _ = scanAll(t, path, opt)
			sameRecording(t, got, want)
		}
	}
}

// TestScanErrors checks that Scan finds the same faults as ReadRecording, across row
// groups.
func TestScanErrors(t *testing.T) {
	n := 50
	tt := seq(n, func(i int) float64 { return float64(i) })
	tt[37] = 36.5
	path := tmp(t, "bad.parquet")
	writeRaw(t, path, nil, 10, col{"t", floats(tt...)}, col{"a", floats(seq(n, func(i int) float64 { return 1 })...)})
	s, err := Scan(path, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for s.Next() {
	}
	wantErr(t, s.Err(), path, `column "t"`, "non-uniform", "36.5")
	s.Close()
	v := seq(n, func(i int) float64 { return 1 })
	v[44] = math.NaN()
	writeRaw(t, path, nil, 10, col{"t", floats(seq(n, func(i int) float64 { return float64(i) })...)}, col{"a", floats(v...)})
	s, _ = Scan(path, ReadOptions{})
	for s.Next() {
	}
	wantErr(t, s.Err(), path, `column "a"`, "t=44")
	s.Close()
	_, err = Scan(path, ReadOptions{NaN: NaNDrop})
	wantErr(t, err, "ReadRecording")
	_, err = Scan(aplysia, ReadOptions{})
	wantErr(t, err, "spike table")
}

// peakAllocator counts the bytes Arrow holds at once.
type peakAllocator struct {
	memory.Allocator
	cur, peak atomic.Int64
}

func (p *peakAllocator) Allocate(n int) []byte {
	c := p.cur.Add(int64(n))
	for {
		old := p.peak.Load()
		if c <= old || p.peak.CompareAndSwap(old, c) {
			break
		}
	}
	return p.Allocator.Allocate(n)
}

func (p *peakAllocator) Reallocate(n int, b []byte) []byte {
	p.cur.Add(int64(n - len(b)))
	return p.Allocator.Reallocate(n, b)
}

func (p *peakAllocator) Free(b []byte) {
	p.cur.Add(-int64(len(b)))
	p.Allocator.Free(b)
}

// TestScanMemoryBound scans a 64 MB recording written in 1 MiB row groups: the Arrow
// buffers held at once and the live Go heap stay within a few row groups, far below the
// file.
func TestScanMemoryBound(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MB file")
	}
	const units, samples, rows = 64, 125000, 2048 // 8M values, 64 MB; row groups of 1 MiB
	path := tmp(t, "big.parquet")
	names := make([]string, units)
	for i := range names {
		names[i] = "u" + string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	for _, comp := range []string{"none", "zstd"} {
		t.Run(comp, func(t *testing.T) { scanBound(t, path, names, comp) })
	}
}

func scanBound(t *testing.T, path string, names []string, comp string) {
	const units, samples, rows = 64, 125000, 2048
	w, err := CreateRecording(path, names, 0.001, 0, WriteOptions{Compression: comp})
	if err != nil {
		t.Fatal(err)
	}
	w.rows = rows
	block := make([]float64, units*1000)
	for k := 0; k < samples/1000; k++ {
		for i := range block {
			block[i] = float64(k*1000 + i%1000)
		}
		if err := w.Write(block, 1000); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	const rowGroupBytes = units * rows * 8
	mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
	s, err := Scan(path, ReadOptions{mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var maxHeap uint64
	var total int
	for s.Next() {
		b := s.Block()
		if got := b.Unit(3)[b.Len-1]; got != float64(total+b.Len-1) {
			t.Fatalf("sample %d of unit 3 is %v", total+b.Len-1, got)
		}
		total += b.Len
		if total%(rows*4) == 0 {
			// Live heap while the scanner holds its buffers.
			runtime.GC()
			runtime.ReadMemStats(&ms)
			maxHeap = max(maxHeap, ms.HeapAlloc-min(ms.HeapAlloc, base))
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if total != samples {
		t.Fatalf("scanned %d samples, want %d", total, samples)
	}
	t.Logf("Arrow peak %.1f MiB, heap growth %.1f MiB, row group %.1f MiB, file %.0f MiB",
		float64(mem.peak.Load())/(1<<20), float64(maxHeap)/(1<<20), float64(rowGroupBytes)/(1<<20), float64(units*samples*8)/(1<<20))
	if p := mem.peak.Load(); p > 3*rowGroupBytes {
		t.Errorf("Arrow held %d bytes at once, more than 3 row groups (%d)", p, 3*rowGroupBytes)
	}
	if maxHeap > 4*rowGroupBytes {
		t.Errorf("live heap grew by %d bytes, more than 4 row groups (%d) of a %d-byte recording", maxHeap, 4*rowGroupBytes, units*samples*8)
	}
}
