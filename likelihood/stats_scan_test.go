package likelihood

import (
	"path/filepath"
	"testing"

	"github.com/ldfit/ldfit/data"
)

func TestScanStatsEqualsInMemory(t *testing.T) {
	rec := arRecording(6, []int{3000, 1700}, 0.9, 61)
	rec.Trials[0].Name, rec.Trials[1].Name = "a", "b"
	rec.Trials[1].Start = 1000
	path := filepath.Join(t.TempDir(), "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	// Streaming decides the default on the first trial alone.
	first := *rec
	first.Trials = rec.Trials[:1]
	def, err := DefaultSegment(&first)
	if err != nil {
		t.Fatal(err)
	}
	for _, seg := range []int{0, 128} {
		wantSeg := seg
		if seg == 0 {
			wantSeg = def
		}
		want, err := SpectralStats(rec, StatsOptions{Segment: wantSeg})
		if err != nil {
			t.Fatal(err)
		}
		s, err := data.Scan(path, data.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var last int
		got, err := ScanStats(s, StatsOptions{Segment: seg}, func(n int) { last = n })
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got.Segment != want.Segment {
			t.Fatalf("segment %d streamed, %d in memory", got.Segment, want.Segment)
		}
		sameStats(t, got, want, 1e-12)
		if last != 4700 {
			t.Errorf("progress reached %d samples, want 4700", last)
		}
	}
}

// BenchmarkScanStats compares the streamed statistics of a Parquet file (200 units ×
// 100,000 samples) with the in-memory pass over the same recording: the ratio of the
// two is the cost of decoding, overlapped with the computation.
func BenchmarkScanStats(b *testing.B) {
	full := benchRecording()
	rec := &data.Recording{Units: full.Units[:200], Step: full.Step,
		Trials: []data.Trial{{Len: full.Trials[0].Len, Data: full.Trials[0].Data[:200*full.Trials[0].Len]}}}
	path := filepath.Join(b.TempDir(), "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{Compression: "snappy"}); err != nil {
		b.Fatal(err)
	}
	samples := float64(rec.N() * rec.Samples())
	b.Run("memory", func(b *testing.B) {
		for range b.N {
			if _, err := SpectralStats(rec, StatsOptions{Segment: 4096}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(samples*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	})
	b.Run("parquet", func(b *testing.B) {
		for range b.N {
			s, err := data.Scan(path, data.ReadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ScanStats(s, StatsOptions{Segment: 4096}, nil); err != nil {
				b.Fatal(err)
			}
			s.Close()
		}
		b.ReportMetric(samples*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	})
}
