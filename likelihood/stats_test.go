package likelihood

import (
	"encoding/json"
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models/network"
	"gonum.org/v1/gonum/dsp/fourier"
)

// arRecording returns n units of independent AR(1) series x[k+1] = ρx[k] + ε in the
// given trials, for tests that need no network.
func arRecording(n int, lens []int, rho float64, seed uint64) *data.Recording {
	rng := rand.New(rand.NewPCG(seed, 7))
	rec := &data.Recording{Step: 0.1}
	for i := range n {
		rec.Units = append(rec.Units, fmt.Sprintf("u%d", i))
	}
	for _, T := range lens {
		tr := data.Trial{Len: T, Data: make([]float64, n*T)}
		for i := range n {
			x := tr.Unit(i)
			x[0] = rng.NormFloat64()
			for k := 1; k < T; k++ {
				x[k] = rho*x[k-1] + rng.NormFloat64()
			}
		}
		rec.Trials = append(rec.Trials, tr)
	}
	return rec
}

var (
	simMu    sync.Mutex
	simCache = map[string]*data.Recording{}
)

// simulate returns (and caches across tests) a simulated recording.
func simulate(t testing.TB, m network.Model, dt float64, steps int, seed uint64) *data.Recording {
	t.Helper()
	key := fmt.Sprintf("%v|%v|%v|%v|%v", m.G2, m.Pops, dt, steps, seed)
	simMu.Lock()
	defer simMu.Unlock()
	if r, ok := simCache[key]; ok {
		return r
	}
	rec, err := network.Simulate(m, network.Options{Dt: dt, Steps: steps, BurnIn: 20, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	simCache[key] = rec
	return rec
}

// directSpectra computes the population averages of the residual and φ periodograms
// the plain way: per unit and segment, residual series and gonum's real FFT.
func directSpectra(rec *data.Recording, L int, alpha float64) (y, p []float64, count int) {
	fft := fourier.NewFFT(L)
	y, p = make([]float64, L/2+1), make([]float64, L/2+1)
	seq, ph := make([]float64, L), make([]float64, L)
	for _, tr := range rec.Trials {
		for i := range rec.N() {
			x := tr.Unit(i)
			for s := 0; s*L+L < tr.Len; s++ {
				for k := range L {
					j := s*L + k
					seq[k] = (x[j+1] - (1-alpha)*x[j]) / alpha
					ph[k] = math.Tanh(x[j])
				}
				Y := fft.Coefficients(nil, seq)
				P := fft.Coefficients(nil, ph)
				for f := range y {
					y[f] += cmplx.Abs(Y[f]) * cmplx.Abs(Y[f]) / float64(L)
					p[f] += cmplx.Abs(P[f]) * cmplx.Abs(P[f]) / float64(L)
				}
				count++
			}
		}
	}
	for f := range y {
		y[f] /= float64(count)
		p[f] /= float64(count)
	}
	return y, p, count
}

func closeRel(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	for k := range got {
		if d := math.Abs(got[k] - want[k]); d > tol*math.Abs(want[k]) {
			t.Fatalf("%s[%d] = %.17g, want %.17g (relative %.3g)", what, k, got[k], want[k], d/math.Abs(want[k]))
		}
	}
}

func TestStatsMatchDirectPeriodograms(t *testing.T) {
	rec := arRecording(5, []int{300, 150}, 0.9, 1)
	const L = 32
	st, err := SpectralStats(rec, StatsOptions{Segment: L, Workers: 2, Blocks: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, alpha := range []float64{0.1, 0.5, 1} {
		y, p, n := directSpectra(rec, L, alpha)
		if st.Total.Count[0] != float64(n) {
			t.Fatalf("count %v, want %d", st.Total.Count[0], n)
		}
		closeRel(t, fmt.Sprintf("residual α=%v", alpha), st.Total.Residual(0, alpha), y, 1e-11)
		closeRel(t, "phi", st.Total.Phi(0), p, 1e-11)
	}
	if len(st.Timeline) != 9+4 {
		t.Errorf("timeline has %d segments, want 13", len(st.Timeline))
	}
}

func TestStatsStreamingBlocksEqualWhole(t *testing.T) {
	rec := arRecording(6, []int{1000, 333}, 0.95, 2)
	opt := StatsOptions{Segment: 64, Workers: 2, Blocks: 4}
	whole, err := SpectralStats(rec, opt)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := NewAccumulator(rec.Units, nil, rec.Step, opt)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for ti, tr := range rec.Trials {
		for k := 0; k < tr.Len; {
			n := min(tr.Len-k, 1+rng.IntN(150))
			block := make([]float64, 0, n*rec.N())
			for i := range rec.N() {
				block = append(block, tr.Unit(i)[k:k+n]...)
			}
			if err := acc.Add(ti, n, block); err != nil {
				t.Fatal(err)
			}
			k += n
		}
	}
	st, err := acc.Stats()
	if err != nil {
		t.Fatal(err)
	}
	sameStats(t, st, whole, 1e-12)
}

func sameStats(t *testing.T, a, b *Stats, tol float64) {
	t.Helper()
	closeRel(t, "count", a.Total.Count, b.Total.Count, 0)
	for p := range a.Pops {
		closeRel(t, "XX", a.Total.XX[p], b.Total.XX[p], tol)
		closeRel(t, "DD", a.Total.DD[p], b.Total.DD[p], tol)
		closeRel(t, "XD", a.Total.XD[p][1:], b.Total.XD[p][1:], tol)
		closeRel(t, "PP", a.Total.PP[p], b.Total.PP[p], tol)
	}
	if len(a.Timeline) != len(b.Timeline) {
		t.Fatalf("timelines of %d and %d segments", len(a.Timeline), len(b.Timeline))
	}
	for k := range a.Timeline {
		closeRel(t, "timeline φ", a.Timeline[k].Phi[0], b.Timeline[k].Phi[0], tol)
		closeRel(t, "timeline x", a.Timeline[k].X[0], b.Timeline[k].X[0], tol)
	}
}

func TestStatsMergeEqualsWhole(t *testing.T) {
	rec := arRecording(6, []int{700, 500}, 0.9, 3)
	opt := StatsOptions{Segment: 64, Workers: 2, Blocks: 4}
	whole, err := SpectralStats(rec, opt)
	if err != nil {
		t.Fatal(err)
	}
	first, second := *rec, *rec
	first.Trials, second.Trials = rec.Trials[:1], rec.Trials[1:]
	a, err := SpectralStats(&first, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := SpectralStats(&second, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	sameStats(t, a, whole, 1e-12)
	c, _ := SpectralStats(&first, StatsOptions{Segment: 32})
	if err := a.Merge(c); err == nil || !strings.Contains(err.Error(), "segment length") {
		t.Errorf("merging different segment lengths: %v", err)
	}
}

func TestStatsWorkersAgree(t *testing.T) {
	rec := arRecording(9, []int{600}, 0.8, 4)
	one, _ := SpectralStats(rec, StatsOptions{Segment: 64, Workers: 1})
	two, _ := SpectralStats(rec, StatsOptions{Segment: 64, Workers: 2})
	sameStats(t, one, two, 1e-12)
}

func TestStatsWithoutRemovesBlocks(t *testing.T) {
	rec := arRecording(8, []int{64*6 + 1}, 0.8, 5)
	st, err := SpectralStats(rec, StatsOptions{Segment: 64, Blocks: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Units 0, 2, 4, 6 in block 0; segments 0, 2, 4 in block 0: removing unit block 1
	// and segment block 1 leaves 4 units × 3 segments.
	w := st.Without(1, 1)
	if w.Total.Count[0] != 12 {
		t.Errorf("count %v, want 12", w.Total.Count[0])
	}
	sub := &data.Recording{Step: rec.Step, Units: []string{"a", "b", "c", "d"}}
	tr := data.Trial{Len: 64*5 + 1}
	for _, i := range []int{0, 2, 4, 6} {
		tr.Data = append(tr.Data, rec.Trials[0].Unit(i)[:tr.Len]...)
	}
	sub.Trials = []data.Trial{tr}
	want := newSpectra(1, 33)
	// Direct sum over segments 0, 2, 4 of those units.
	one, _ := SpectralStats(sub, StatsOptions{Segment: 64, Blocks: 2})
	for u := range one.Cells {
		want.Add(&one.Cells[u][0])
	}
	closeRel(t, "PP without blocks", w.Total.PP[0], want.PP[0], 1e-12)
	closeRel(t, "XD without blocks", w.Total.XD[0][1:], want.XD[0][1:], 1e-10)
}

func TestStatsErrors(t *testing.T) {
	rec := arRecording(3, []int{50}, 0.8, 6)
	if _, err := SpectralStats(rec, StatsOptions{Segment: 64}); err == nil || !strings.Contains(err.Error(), "shorter segment") {
		t.Errorf("too short: %v", err)
	}
	if _, err := SpectralStats(rec, StatsOptions{Segment: 48}); err == nil || !strings.Contains(err.Error(), "power of two") {
		t.Errorf("segment 48: %v", err)
	}
	c := arRecording(3, []int{200}, 0.8, 6)
	for k := range c.Trials[0].Unit(1) {
		c.Trials[0].Unit(1)[k] = 0.25
	}
	if _, err := SpectralStats(c, StatsOptions{Segment: 32}); err == nil || !strings.Contains(err.Error(), "unit u1 is constant") {
		t.Errorf("constant unit: %v", err)
	}
	c = arRecording(3, []int{200}, 0.8, 6)
	c.Populations = []string{"E", "E", "I"}
	if _, err := SpectralStats(c, StatsOptions{Segment: 32}); err == nil || !strings.Contains(err.Error(), `"I" has only one unit (unit u2)`) {
		t.Errorf("one-unit population: %v", err)
	}
	c = arRecording(3, []int{200}, 0.8, 6)
	c.Trials[0].Unit(2)[77] = math.NaN()
	if _, err := SpectralStats(c, StatsOptions{Segment: 32}); err == nil || !strings.Contains(err.Error(), "unit u2 has a value that is NaN") {
		t.Errorf("NaN: %v", err)
	}
	if _, err := NewSpectral(&Stats{Pops: []string{"all"}}, SpectralOptions{Tau: []float64{-1}}); err == nil || !strings.Contains(err.Error(), "τ = -1") {
		t.Errorf("τ ≤ 0: %v", err)
	}
}

func TestDefaultSegment(t *testing.T) {
	// AR(1) with ρ = 0.95: correlation time −1/ln ρ ≈ 19.5 samples, 16× that is 312,
	// next power of two 512.
	rec := arRecording(4, []int{20000}, 0.95, 7)
	L, err := DefaultSegment(rec)
	if err != nil || L != 512 {
		t.Errorf("DefaultSegment = %d, %v; want 512", L, err)
	}
	short := arRecording(4, []int{2000}, 0.95, 7)
	if L, _ := DefaultSegment(short); L != 128 {
		t.Errorf("2000 samples: DefaultSegment = %d, want 128 (8 segments)", L)
	}
}

func TestStationarity(t *testing.T) {
	rec := arRecording(20, []int{64*40 + 1}, 0.9, 8)
	st, err := SpectralStats(rec, StatsOptions{Segment: 64})
	if err != nil {
		t.Fatal(err)
	}
	s := st.Stationarity()
	if !s.Tested || !s.Stationary {
		t.Errorf("stationary AR(1): %+v", s)
	}
	// Second half with half the variance: the level shift must be detected.
	for i := range rec.N() {
		x := rec.Trials[0].Unit(i)
		for k := len(x) / 2; k < len(x); k++ {
			x[k] *= math.Sqrt(0.5)
		}
	}
	st, _ = SpectralStats(rec, StatsOptions{Segment: 64})
	s = st.Stationarity()
	if !s.Tested || s.Stationary {
		t.Errorf("variance halved in the second half: %+v", s)
	}
}

func TestStatsBlocksSpreadPopulations(t *testing.T) {
	rec := arRecording(12, []int{300}, 0.8, 12)
	// Population "b" holds units 0 and 4: by index mod 4 both would be in block 0.
	rec.Populations = []string{"b", "a", "a", "a", "b", "a", "a", "a", "a", "a", "a", "a"}
	st, err := SpectralStats(rec, StatsOptions{Segment: 32, Blocks: 4})
	if err != nil {
		t.Fatal(err)
	}
	for u := range 4 {
		w := st.Without(u, -1)
		for a, p := range st.Pops {
			if w.Total.Count[a] == 0 {
				t.Errorf("leaving out unit block %d removes every unit of population %s", u, p)
			}
		}
	}
}

func TestStatsJSONRoundTripMerges(t *testing.T) {
	rec := arRecording(4, []int{500, 400}, 0.9, 13)
	whole, _ := SpectralStats(rec, StatsOptions{Segment: 64})
	first, second := *rec, *rec
	first.Trials, second.Trials = rec.Trials[:1], rec.Trials[1:]
	a, _ := SpectralStats(&first, StatsOptions{Segment: 64})
	b, _ := SpectralStats(&second, StatsOptions{Segment: 64})
	js, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	var back Stats
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if err := a.Merge(&back); err != nil {
		t.Fatal(err)
	}
	sameStats(t, a, whole, 1e-12)
}

func TestStatsDropConstant(t *testing.T) {
	rec := arRecording(5, []int{700, 300}, 0.9, 14)
	for _, tr := range rec.Trials {
		for k := range tr.Unit(3) {
			tr.Unit(3)[k] = 0.75
		}
	}
	st, err := SpectralStats(rec, StatsOptions{Segment: 64, Blocks: 2, DropConstant: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Dropped) != 1 || st.Dropped[0] != "u3" || st.Units[0] != 4 {
		t.Fatalf("dropped %v, units %v", st.Dropped, st.Units)
	}
	without := &data.Recording{Step: rec.Step}
	for _, i := range []int{0, 1, 2, 4} {
		without.Units = append(without.Units, rec.Units[i])
	}
	for _, tr := range rec.Trials {
		nt := data.Trial{Len: tr.Len}
		for _, i := range []int{0, 1, 2, 4} {
			nt.Data = append(nt.Data, tr.Unit(i)...)
		}
		without.Trials = append(without.Trials, nt)
	}
	want, _ := SpectralStats(without, StatsOptions{Segment: 64})
	// The DC ordinates differ by rounding after the subtraction; compare the rest.
	closeRel(t, "count", st.Total.Count, want.Total.Count, 0)
	closeRel(t, "XX", st.Total.XX[0][1:], want.Total.XX[0][1:], 1e-12)
	closeRel(t, "PP", st.Total.PP[0][1:], want.Total.PP[0][1:], 1e-12)
	closeRel(t, "DD", st.Total.DD[0][1:], want.Total.DD[0][1:], 1e-12)
	closeRel(t, "XX at DC", st.Total.XX[0][:1], want.Total.XX[0][:1], 1e-9)
	for k := range st.Timeline {
		closeRel(t, "timeline count", st.Timeline[k].Count, want.Timeline[k].Count, 0)
	}
}
