package network

import (
	"testing"
)

// benchStep measures Euler–Maruyama steps of model m per second.
func benchStep(b *testing.B, m Model, workers int) {
	s, err := newSim(&m, &Options{Dt: 0.05, Steps: 1, Seed: 1, Workers: workers})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		s.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
}

func BenchmarkStepDense1000(b *testing.B)  { benchStep(b, Single(1000, 1.5, 0.5, tanhPhi{}), 0) }
func BenchmarkStepDense10000(b *testing.B) { benchStep(b, Single(10000, 1.5, 0.5, tanhPhi{}), 0) }
func BenchmarkStepDense1000OneWorker(b *testing.B) {
	benchStep(b, Single(1000, 1.5, 0.5, tanhPhi{}), 1)
}
func BenchmarkStepSparse10000(b *testing.B) {
	m := Single(10000, 1.5, 0.5, tanhPhi{})
	m.Coupling = Sparse{P: 0.1}
	benchStep(b, m, 0)
}
func BenchmarkStepModes10000(b *testing.B) {
	m := Single(10000, 1.5, 0.5, tanhPhi{})
	m.Coupling = RandomMode{Alpha: 0.1, Spectrum: Exponential, Beta: 2}
	benchStep(b, m, 0)
}

// BenchmarkParticipation1000 estimates the PR of 1000 units × 10,000 samples (the
// N×N block covariances: 10¹⁰ multiply–adds).
func BenchmarkParticipation1000(b *testing.B) {
	rec := gaussianRecording(make1(1000), 10000, 1)
	for b.Loop() {
		if _, err := Participation(rec, DimOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1e7/b.Elapsed().Seconds(), "samples·units/s")
}

func make1(n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}
