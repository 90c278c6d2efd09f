package main

import (
	"io"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ldfit/ldfit/data"
)

const benchUnits, benchSamples = 500, 20000

// writeBig writes a wide Parquet recording of benchUnits × benchSamples (80 MB of
// float64) in dir.
func writeBig(b *testing.B, dir string) string {
	const units, samples = benchUnits, benchSamples
	path := filepath.Join(dir, "big.parquet")
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
	return path
}

// BenchmarkInspectScan measures inspect's streaming pass over a wide Parquet recording
// of 500 units × 20,000 samples (80 MB of float64).
func BenchmarkInspectScan(b *testing.B) {
	path := writeBig(b, b.TempDir())
	b.SetBytes(benchUnits * benchSamples * 8)
	peak := watchHeap()
	b.ResetTimer()
	for range b.N {
		if code := run([]string{"inspect", "--json", path}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
	b.ReportMetric(float64(benchUnits*benchSamples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-live-MB")
}

// BenchmarkConvertStream converts the same recording to the long layout in Arrow IPC,
// block by block.
func BenchmarkConvertStream(b *testing.B) {
	dir := b.TempDir()
	path := writeBig(b, dir)
	out := filepath.Join(dir, "long.arrow")
	b.SetBytes(benchUnits * benchSamples * 8)
	peak := watchHeap()
	b.ResetTimer()
	for range b.N {
		if code := run([]string{"convert", path, out, "--long"}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("exit code %d", code)
		}
	}
	b.ReportMetric(float64(benchUnits*benchSamples)*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-live-MB")
}

// watchHeap samples the heap that was live at the last garbage collection, every
// millisecond until the returned function is called, which returns the largest value
// seen, in bytes.
func watchHeap() func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		<-done
		return peak.Load()
	}
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
