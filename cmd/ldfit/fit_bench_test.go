package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
)

// benchRecording returns n units of AR(1) activity, T samples each.
func benchRecording(n, T int) *data.Recording {
	rng := rand.New(rand.NewPCG(1, 2))
	units := make([]string, n)
	d := make([]float64, n*T)
	for i := range units {
		units[i] = fmt.Sprintf("u%04d", i)
		x := 0.0
		for k := 0; k < T; k++ {
			x = 0.9*x + 0.5*rng.NormFloat64()
			d[i*T+k] = x
		}
	}
	return &data.Recording{Units: units, Step: 0.1, TimeUnit: "s", Trials: []data.Trial{{Len: T, Data: d}}}
}

// BenchmarkFitEndToEnd compares ldfit fit on a 1000-unit × 100,000-sample Parquet
// recording (statistics streamed from the file, fit, jackknife) with the spectral
// statistics of the same recording in memory. The target: the first within
// 1.5× of the second.
func BenchmarkFitEndToEnd(b *testing.B) {
	const n, T = 1000, 100_000
	rec := benchRecording(n, T)
	path := filepath.Join(b.TempDir(), "rec.parquet")
	if err := data.WriteRecording(path, rec, data.WriteOptions{Compression: "snappy"}); err != nil {
		b.Fatal(err)
	}
	samples := float64(n * T)
	b.Run("stats-in-memory", func(b *testing.B) {
		for range b.N {
			if _, err := likelihood.SpectralStats(rec, likelihood.StatsOptions{Segment: 4096, Blocks: 16}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(samples*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	})
	b.Run("ldfit-fit-parquet", func(b *testing.B) {
		for range b.N {
			var stderr bytes.Buffer
			if code := run([]string{"fit", path, "--segment", "4096", "-q"}, io.Discard, &stderr); code != 0 {
				b.Fatalf("exit code %d: %s", code, stderr.String())
			}
		}
		b.ReportMetric(samples*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	})
}
