package likelihood

import (
	"fmt"
	"math"

	"github.com/ldfit/ldfit/data"
	"gonum.org/v1/gonum/stat/distuv"
)

// Merge adds the statistics o (another file, trial set or machine's share, following
// s in time) to s. Both must have the same segment length, step, block count and
// populations (in any order).
func (s *Stats) Merge(o *Stats) error {
	if s.Segment != o.Segment {
		return fmt.Errorf("likelihood: cannot merge statistics of segment length %d and %d; compute both with the same --segment", s.Segment, o.Segment)
	}
	if math.Abs(s.Step-o.Step) > 1e-9*s.Step {
		return fmt.Errorf("likelihood: cannot merge statistics of sampling steps %v and %v; resample to a common step", s.Step, o.Step)
	}
	if len(s.Cells) != len(o.Cells) || len(s.Cells[0]) != len(o.Cells[0]) {
		return fmt.Errorf("likelihood: cannot merge statistics of %d and %d blocks; use the same Blocks option", len(s.Cells), len(o.Cells))
	}
	if len(s.Pops) != len(o.Pops) {
		return fmt.Errorf("likelihood: cannot merge statistics of populations %q and %q", s.Pops, o.Pops)
	}
	perm := make([]int, len(o.Pops)) // perm[a in o] = index in s
	for b, p := range o.Pops {
		perm[b] = -1
		for a, q := range s.Pops {
			if p == q {
				perm[b] = a
			}
		}
		if perm[b] < 0 {
			return fmt.Errorf("likelihood: cannot merge: population %q is not among %q", p, s.Pops)
		}
	}
	addPerm(&s.Total, &o.Total, perm)
	for u := range s.Cells {
		for k := range s.Cells[u] {
			addPerm(&s.Cells[u][k], &o.Cells[u][k], perm)
		}
	}
	for k := range o.Timeline {
		t := newBandPower(len(s.Pops), len(s.Bands)-1)
		t.add(&o.Timeline[k], perm)
		s.Timeline = append(s.Timeline, t)
	}
	for b, a := range perm {
		s.Units[a] = max(s.Units[a], o.Units[b])
	}
	return nil
}

func addPerm(dst, src *Spectra, perm []int) {
	for b, a := range perm {
		dst.Count[a] += src.Count[b]
		for f := range dst.XX[a] {
			dst.XX[a][f] += src.XX[b][f]
			dst.DD[a][f] += src.DD[b][f]
			dst.XD[a][f] += src.XD[b][f]
			dst.PP[a][f] += src.PP[b][f]
		}
	}
}

// Without returns the statistics with unit block u and segment block k left out
// (a negative index leaves out none), for a delete-a-block jackknife. Only Total is
// set in the result.
func (s *Stats) Without(u, k int) *Stats {
	out := &Stats{Segment: s.Segment, Step: s.Step, Pops: s.Pops, Units: s.Units, Bands: s.Bands, Total: s.Total.clone()}
	if u >= 0 {
		for j := range s.Cells[u] {
			out.Total.axpy(-1, &s.Cells[u][j])
		}
	}
	if k >= 0 {
		for j := range s.Cells {
			if j != u {
				out.Total.axpy(-1, &s.Cells[j][k])
			}
		}
	}
	return out
}

// Frequencies returns the frequencies of ordinates 0..L/2, in cycles per time unit of
// the recording.
func (s *Stats) Frequencies() []float64 {
	f := make([]float64, s.Segment/2+1)
	for k := range f {
		f[k] = float64(k) / (float64(s.Segment) * s.Step)
	}
	return f
}

// DefaultSegment returns the segment length used when none is given: the smallest
// power of two of at least 16 correlation times, within [64, 4096], halved (down to
// 64) until the shortest trial holds at least 8 segments. The correlation time is the
// first lag at which the autocorrelation of x, averaged over up to 16 units evenly
// spread over the recording and taken over the first 65536 samples of its longest
// trial, falls below 1/e. Long segments resolve the spectra finely; many segments make
// the resampling blocks and the stationarity check meaningful.
func DefaultSegment(rec *data.Recording) (int, error) {
	if rec == nil || len(rec.Trials) == 0 || rec.N() == 0 {
		return 0, fmt.Errorf("likelihood: recording is empty")
	}
	longest, shortest := 0, rec.Trials[0].Len
	for t, tr := range rec.Trials {
		if tr.Len > rec.Trials[longest].Len {
			longest = t
		}
		shortest = min(shortest, tr.Len)
	}
	tr := &rec.Trials[longest]
	if tr.Len < 5 {
		return 0, fmt.Errorf("likelihood: the longest trial has %d samples; the spectral statistics need at least 5", tr.Len)
	}
	return segmentRule(correlationTime(tr, rec.N()), shortest)
}

// correlationTime returns the lag, in samples, at which the autocorrelation of x
// averaged over up to 16 units of the trial falls below 1/e.
func correlationTime(tr *data.Trial, N int) float64 {
	T := min(tr.Len, 65536)
	n := 2
	for n < 2*T {
		n <<= 1
	}
	plan, _ := newFFTPlan(n)
	buf := make([]complex128, n)
	acf := make([]float64, T)
	units := min(16, N)
	used := 0
	for j := range units {
		x := tr.Unit(j * N / units)[:T]
		var mean float64
		for _, v := range x {
			mean += v
		}
		mean /= float64(T)
		for k := range buf {
			buf[k] = 0
		}
		for k, v := range x {
			buf[k] = complex(v-mean, 0)
		}
		plan.transform(buf)
		for k, v := range buf {
			buf[k] = complex(real(v)*real(v)+imag(v)*imag(v), 0)
		}
		plan.transform(buf) // the inverse transform of a real even sequence, up to n
		if real(buf[0]) <= 0 {
			continue
		}
		for k := range acf {
			acf[k] += real(buf[k]) / real(buf[0])
		}
		used++
	}
	if used > 0 {
		for k, v := range acf {
			if v/float64(used) < 1/math.E {
				return float64(k)
			}
		}
	}
	return float64(T)
}

// segmentRule applies DefaultSegment's rule to a correlation time (in samples) and
// the length of the shortest trial.
func segmentRule(corr float64, shortest int) (int, error) {
	L := 64
	for L < 4096 && float64(L) < 16*corr {
		L <<= 1
	}
	for L > 64 && (shortest-1)/L < 8 {
		L >>= 1
	}
	for L > 4 && L > shortest-1 {
		L >>= 1
	}
	if L < 4 || L > shortest-1 {
		return 0, fmt.Errorf("likelihood: the shortest trial has %d samples, too few for one segment; drop short trials", shortest)
	}
	return L, nil
}

// Stationarity is the result of comparing the statistics of the first and the second
// half of the segments (Stats.Stationarity).
type Stationarity struct {
	Tested     bool       // false when either half has fewer than 3 segments
	Stationary bool       // no band differs beyond its error (adjusted P ≥ 0.001)
	P          float64    // Bonferroni-adjusted p-value of the largest difference
	T          float64    // Welch t statistic of the largest difference (first − second half)
	Pop        string     // population of the largest difference
	Series     string     // "x" or "phi"
	Band       [2]float64 // its frequency band, cycles per time unit
}

// Stationarity compares, for every population, series (x and φ(x)) and frequency
// band, the log band power of the segments of the first half of the timeline with those
// of the second half by Welch's t test, the segment-to-segment spread being the error.
// A non-stationary recording makes the spectral estimates depend on the segment length
// and their uncertainty meaningless; the caller warns when Stationary is false.
func (s *Stats) Stationarity() Stationarity {
	res := Stationarity{Stationary: true, P: 1}
	n := len(s.Timeline)
	if n/2 < 3 {
		return res
	}
	res.Tested = true
	tests := 0
	var best float64
	freq := 1 / (float64(s.Segment) * s.Step)
	for a := range s.Pops {
		for b := 0; b+1 < len(s.Bands); b++ {
			for _, series := range []string{"x", "phi"} {
				var h [2][]float64
				for k := range s.Timeline {
					t := &s.Timeline[k]
					if t.Count[a] == 0 {
						continue
					}
					v := t.Phi[a][b]
					if series == "x" {
						v = t.X[a][b]
					}
					h[2*k/n] = append(h[2*k/n], math.Log(v/t.Count[a]))
				}
				tt, df := welch(h[0], h[1])
				if math.IsNaN(tt) {
					continue
				}
				tests++
				if tests == 1 || math.Abs(tt) > math.Abs(best) {
					best = tt
					res.T, res.Pop, res.Series = tt, s.Pops[a], series
					res.Band = [2]float64{float64(s.Bands[b]) * freq, float64(s.Bands[b+1]-1) * freq}
					res.P = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Survival(math.Abs(tt))
				}
			}
		}
	}
	res.P = math.Min(1, res.P*float64(tests))
	res.Stationary = res.P >= 1e-3
	return res
}

// welch returns Welch's t statistic of the means of x and y and its degrees of freedom.
func welch(x, y []float64) (t, df float64) {
	if len(x) < 2 || len(y) < 2 {
		return math.NaN(), 0
	}
	mx, vx := meanVar(x)
	my, vy := meanVar(y)
	ex, ey := vx/float64(len(x)), vy/float64(len(y))
	if ex+ey == 0 {
		return math.NaN(), 0
	}
	t = (mx - my) / math.Sqrt(ex+ey)
	df = (ex + ey) * (ex + ey) / (ex*ex/float64(len(x)-1) + ey*ey/float64(len(y)-1))
	return t, df
}

func meanVar(x []float64) (m, v float64) {
	for _, u := range x {
		m += u
	}
	m /= float64(len(x))
	for _, u := range x {
		v += (u - m) * (u - m)
	}
	return m, v / float64(len(x)-1)
}
