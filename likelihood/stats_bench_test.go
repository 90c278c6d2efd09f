package likelihood

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"

	"github.com/ldfit/ldfit/data"
)

var (
	benchOnce sync.Once
	benchRec  *data.Recording
)

// benchRecording is 1000 units × 100,000 samples of AR(2) series with unit variance
// around a tanh-relevant scale, made once (800 MB).
func benchRecording() *data.Recording {
	benchOnce.Do(func() {
		const n, T = 1000, 100000
		rec := &data.Recording{Step: 0.1}
		tr := data.Trial{Len: T, Data: make([]float64, n*T)}
		var wg sync.WaitGroup
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 99))
				for i := w; i < n; i += 2 {
					x := tr.Unit(i)
					var a, b float64
					for k := range x {
						a = 0.95*a + 0.3*rng.NormFloat64()
						b = 0.9*b + a*0.1
						x[k] = a + b
					}
				}
			}()
		}
		wg.Wait()
		for i := range n {
			rec.Units = append(rec.Units, fmt.Sprintf("u%04d", i))
		}
		rec.Trials = []data.Trial{tr}
		benchRec = rec
	})
	return benchRec
}

// BenchmarkSpectralStats measures the statistics pass over 1000 units × 100,000
// samples in segments of 4096; the samples/s metric is the throughput.
// samples/cpu-s divides by the CPU time the process used instead of wall time: on the
// shared machine the first is the load, the second the work (workers × samples/cpu-s is
// the throughput on an otherwise idle machine with that many cores).
func BenchmarkSpectralStats(b *testing.B) {
	rec := benchRecording()
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ResetTimer()
			cpu := cpuSeconds()
			for range b.N {
				if _, err := SpectralStats(rec, StatsOptions{Segment: 4096, Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			cpu = cpuSeconds() - cpu
			n := float64(rec.Samples()*rec.N()) * float64(b.N)
			b.ReportMetric(n/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(n/cpu, "samples/cpu-s")
		})
	}
}

// cpuSeconds returns the user and system CPU time of the process: on a shared machine
// it measures the work of a benchmark where wall time measures the load.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkSegment measures the work per unit and 4096-sample segment: φ, one complex
// FFT and the accumulation of the four periodograms.
func BenchmarkSegment(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	acc, err := NewAccumulator([]string{"a", "b"}, nil, 0.1, StatsOptions{Segment: 4096, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	w := acc.workers[0]
	w.grow(1)
	var v float64
	for k := range w.xs { // smooth, like recorded activity
		v = 0.95*v + 0.3*rng.NormFloat64()
		w.xs[k] = v
	}
	cpu := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		w.segment(acc, 0, 0)
	}
	b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
}

func BenchmarkFFT4096Permuted(b *testing.B) {
	p, _ := newFFTPlan(4096)
	z := make([]complex128, 4096)
	for k := range z {
		z[k] = complex(float64(k%7), 1)
	}
	cpu := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		p.transformPermuted(z)
	}
	b.ReportMetric((cpuSeconds()-cpu)*1e9/float64(b.N), "cpu-ns/op")
}
