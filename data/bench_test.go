package data

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// The benchmark recording: 1000 units × 100,000 samples of float64 (800 MB of values),
// written once per benchmark run by ldfit's streaming writer, wide and long, zstd (the
// default) and uncompressed. It is never made by plain go test.
const benchUnits, benchSamples = 1000, 100000

var (
	benchOnce sync.Map // file name → *benchFile
	benchDir  string
	benchMu   sync.Mutex
)

type benchFile struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchRecording(b *testing.B, name string, opt WriteOptions) string {
	b.Helper()
	v, _ := benchOnce.LoadOrStore(name, &benchFile{})
	f := v.(*benchFile)
	f.once.Do(func() {
		benchMu.Lock()
		if benchDir == "" {
			benchDir, f.err = os.MkdirTemp("", "ldfit-bench")
		}
		benchMu.Unlock()
		if f.err != nil {
			return
		}
		f.path = filepath.Join(benchDir, name)
		units := make([]string, benchUnits)
		for i := range units {
			units[i] = fmt.Sprintf("n%04d", i)
		}
		w, err := CreateRecording(f.path, units, 0.001, 0, opt)
		if err != nil {
			f.err = err
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		const blk = 4096
		block := make([]float64, benchUnits*blk)
		for off := 0; off < benchSamples; off += blk {
			n := min(blk, benchSamples-off)
			for i := range block[:benchUnits*n] {
				block[i] = rng.NormFloat64()
			}
			if f.err = w.Write(block[:benchUnits*n], n); f.err != nil {
				return
			}
		}
		f.err = w.Close()
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.path
}

func reportRead(b *testing.B, path string) {
	st, _ := os.Stat(path)
	b.SetBytes(benchUnits * benchSamples * 8)
	b.ReportMetric(float64(benchUnits*benchSamples)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Msamples/s")
	b.ReportMetric(float64(st.Size())/(1<<20), "fileMiB")
}

func benchmarkRead(b *testing.B, name string, opt WriteOptions) {
	path := benchRecording(b, name, opt)
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := ReadRecording(path, ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if r.Samples() != benchSamples || r.N() != benchUnits {
			b.Fatalf("read %d × %d", r.N(), r.Samples())
		}
	}
	b.StopTimer()
	reportRead(b, path)
}

func BenchmarkReadWideZstd(b *testing.B) { benchmarkRead(b, "wide.parquet", WriteOptions{}) }
func BenchmarkReadWidePlain(b *testing.B) {
	benchmarkRead(b, "wide-none.parquet", WriteOptions{Compression: "none"})
}
func BenchmarkReadLongZstd(b *testing.B) { benchmarkRead(b, "long.parquet", WriteOptions{Long: true}) }

// BenchmarkScanWide scans the wide file block by block and reports the peak of the Arrow
// buffers and of the live Go heap above the start, against the size of one row group.
func BenchmarkScanWide(b *testing.B) {
	path := benchRecording(b, "wide.parquet", WriteOptions{})
	var ms runtime.MemStats
	var peakHeap uint64
	mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
	runtime.GC()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		s, err := Scan(path, ReadOptions{mem: mem})
		if err != nil {
			b.Fatal(err)
		}
		blocks := 0
		for s.Next() {
			blocks++
			if blocks%4 == 0 {
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapAlloc-min(ms.HeapAlloc, base))
				b.StartTimer()
			}
		}
		if err := s.Err(); err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
	b.StopTimer()
	reportRead(b, path)
	b.ReportMetric(float64(mem.peak.Load())/(1<<20), "arrowPeakMiB")
	b.ReportMetric(float64(peakHeap)/(1<<20), "heapPeakMiB")
	b.ReportMetric(float64(RowGroupValues*8)/(1<<20), "rowGroupMiB")
}
