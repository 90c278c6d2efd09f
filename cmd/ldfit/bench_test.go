package main

import (
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// BenchmarkInspectScan measures inspect's streaming pass over a wide Parquet recording
// of 500 units × 20,000 samples (80 MB of float64).
func BenchmarkInspectScan(b *testing.B) {
	const units, samples = 500, 20000
	path := filepath.Join(b.TempDir(), "big.parquet")
	names := make([]string, units)
	for i := range names {
		names[i] = "u" + string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + string(rune('a'+i/676))
	}
	w, err := data.CreateRecording(path, names, 0.01, 0, data.WriteOptions{Compression: "none"})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	const chunk = 2000
	block := make([]float64, units*chunk)
	for k := 0; k < samples; k += chunk {
		for i := range block {
			block[i] = rng.NormFloat64()
		}
		if err := w.Write(block, chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(units * samples * 8)
	b.ResetTimer()
	for range b.N {
		if code := run([]string{"inspect", "--json", path}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
	b.ReportMetric(float64(units*samples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

// BenchmarkConvertAplysia bins the example spike table into 20 ms and writes it.
func BenchmarkConvertAplysia(b *testing.B) {
	out := filepath.Join(b.TempDir(), "a.parquet")
	for range b.N {
		if code := run([]string{"convert", aplysia, out, "--bin", "0.02"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
}
