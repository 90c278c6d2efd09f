package likelihood

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// Spectra holds, per population, sums over unit-segments of the periodograms the
// spectral likelihood is built from. For one segment x[0..L] of one unit (L+1 samples,
// the last one shared with the next segment), with X, ΔX and Φ the discrete Fourier
// transforms of x[0..L-1], x[1..L]−x[0..L-1] and φ(x[0..L-1]) at ordinate f:
//
//	XX[a][f] += |X|²/L,  DD[a][f] += |ΔX|²/L,  XD[a][f] += Re(ΔX·conj X)/L,  PP[a][f] += |Φ|²/L.
//
// The residual y = (x[k+1] − (1−α)x[k])/α = ΔX/α + X has periodogram DD/α² + 2XD/α + XX,
// so one pass serves every time constant (α = Δ/τ). Ordinates run over f = 0..L/2 (the
// others follow by symmetry); each is an unbiased estimate of the two-sided spectral
// density per sample, so a white series of variance v has E[PP] = v·Count.
//
// Sums add: the statistics of several trials, files or machines are combined by Add.
type Spectra struct {
	Count          []float64   // unit-segments per population
	XX, DD, XD, PP [][]float64 // [population][ordinate]
}

func newSpectra(pops, nf int) Spectra {
	s := Spectra{Count: make([]float64, pops)}
	for _, p := range []*[][]float64{&s.XX, &s.DD, &s.XD, &s.PP} {
		*p = make([][]float64, pops)
		for a := range *p {
			(*p)[a] = make([]float64, nf)
		}
	}
	return s
}

// Add adds o to s; they must have the same shape.
func (s *Spectra) Add(o *Spectra) { s.axpy(1, o) }

func (s *Spectra) axpy(c float64, o *Spectra) {
	for a := range s.Count {
		s.Count[a] += c * o.Count[a]
		for _, pr := range [][2][]float64{{s.XX[a], o.XX[a]}, {s.DD[a], o.DD[a]}, {s.XD[a], o.XD[a]}, {s.PP[a], o.PP[a]}} {
			dst, src := pr[0], pr[1]
			for f := range dst {
				dst[f] += c * src[f]
			}
		}
	}
}

func (s *Spectra) clone() Spectra {
	c := newSpectra(len(s.Count), len(s.XX[0]))
	c.Add(s)
	return c
}

// Residual returns the population-averaged periodogram of the residual
// y = (x[k+1] − (1−alpha)x[k])/alpha of population a, over ordinates 0..L/2.
func (s *Spectra) Residual(a int, alpha float64) []float64 {
	out := make([]float64, len(s.XX[a]))
	n := s.Count[a]
	for f := range out {
		out[f] = (s.DD[a][f]/(alpha*alpha) + 2*s.XD[a][f]/alpha + s.XX[a][f]) / n
	}
	return out
}

// Phi returns the population-averaged periodogram of φ(x) of population a.
func (s *Spectra) Phi(a int) []float64 {
	out := make([]float64, len(s.PP[a]))
	for f, v := range s.PP[a] {
		out[f] = v / s.Count[a]
	}
	return out
}

// Stats are the sufficient statistics of the spectral likelihood of one or more
// recordings, with what resampling and the stationarity check need. All fields are
// exported, so encoding/json or encoding/gob carry them between machines, to be
// combined by Merge.
type Stats struct {
	Segment int      // segment length L, a power of two
	Step    float64  // sampling step Δ
	Pops    []string // population names
	Units   []int    // units per population (the largest count among merged statistics)
	Total   Spectra
	// Cells[u][s] holds the sums over the units in block u (the unit's rank within its
	// population mod len(Cells), so every block holds units of every population)
	// and the segments in block s (segment ordinal mod len(Cells[u])); Total is their
	// sum. Leaving out one block of units or of segments (Without) gives the
	// delete-a-block jackknife, which accounts for what the Whittle likelihood ignores:
	// units are correlated through the network and share the estimate of S_φ.
	Cells [][]Spectra
	// Timeline[k] is the band power of segment k in time order (trials and merged
	// statistics concatenated), band j covering ordinates [Bands[j], Bands[j+1]). It is
	// what Stationarity compares.
	Timeline []BandPower
	Bands    []int
	// Dropped lists the constant units left out (StatsOptions.DropConstant).
	Dropped []string
}

// BandPower holds, for one segment, the periodograms of x and of φ(x) summed over the
// ordinates of each frequency band and over the units of each population.
type BandPower struct {
	Count  []float64   // units per population
	X, Phi [][]float64 // [population][band]
}

func newBandPower(pops, bands int) BandPower {
	b := BandPower{Count: make([]float64, pops), X: make([][]float64, pops), Phi: make([][]float64, pops)}
	for a := range pops {
		b.X[a], b.Phi[a] = make([]float64, bands), make([]float64, bands)
	}
	return b
}

func (b *BandPower) add(o *BandPower, perm []int) {
	for j, a := range perm {
		b.Count[a] += o.Count[j]
		for k := range b.X[a] {
			b.X[a][k] += o.X[j][k]
			b.Phi[a][k] += o.Phi[j][k]
		}
	}
}

// rawSpectra is what a worker accumulates per cell: with c = x[L] − x[0] of each
// segment, ΔX = (w−1)X + wc (w = e^{2πif/L}) gives Σ|ΔX|² and ΣRe(ΔX conj X) from
// Σ|X|², Σc·X and Σc², so the inner loop needs no complex products.
type rawSpectra struct {
	count, c2      []float64   // [population]
	xx, pp, cr, ci [][]float64 // [population][ordinate]: Σ|2X|², Σ|2Φ|², Σ c·2X
}

func newRawSpectra(pops, nf int) rawSpectra {
	r := rawSpectra{count: make([]float64, pops), c2: make([]float64, pops)}
	for _, p := range []*[][]float64{&r.xx, &r.pp, &r.cr, &r.ci} {
		*p = make([][]float64, pops)
		for a := range *p {
			(*p)[a] = make([]float64, nf)
		}
	}
	return r
}

// addTo adds the raw sums to s in its periodogram form.
func (r *rawSpectra) addTo(s *Spectra, w, wm1 []complex128) {
	L := float64(2 * (len(w) - 1))
	for a := range r.count {
		s.Count[a] += r.count[a]
		for f := range w {
			xx := r.xx[a][f] / (4 * L)
			cx := complex(r.cr[a][f], r.ci[a][f]) / complex(2*L, 0)
			m := wm1[f]
			s.XX[a][f] += xx
			s.PP[a][f] += r.pp[a][f] / (4 * L)
			s.XD[a][f] += real(m)*xx + real(w[f]*complex(real(cx), -imag(cx)))
			s.DD[a][f] += (real(m)*real(m)+imag(m)*imag(m))*xx + r.c2[a]/L + 2*real(m*complex(real(w[f]), -imag(w[f]))*cx)
		}
	}
}

// StatsOptions configures SpectralStats and NewAccumulator.
type StatsOptions struct {
	// Segment is the segment length L, a power of two. Zero means DefaultSegment.
	Segment int
	// Phi is the transfer function of every population; nil means tanh.
	Phi models.Phi
	// PopPhi overrides Phi for the populations it names.
	PopPhi map[string]models.Phi
	// Workers is the number of goroutines; zero means GOMAXPROCS.
	Workers int
	// Blocks is the number of unit blocks and of segment blocks in Stats.Cells; zero
	// means 8.
	Blocks int
	// DropConstant leaves out units whose every sample is the same (silent units of a
	// binned spike table), listing them in Stats.Dropped, instead of failing.
	DropConstant bool
}

// SpectralStats computes the statistics of a recording in one pass over its samples,
// in parallel over units. Units without population labels form the population "all".
func SpectralStats(rec *data.Recording, opt StatsOptions) (*Stats, error) {
	if rec == nil || len(rec.Trials) == 0 || rec.N() == 0 {
		return nil, fmt.Errorf("likelihood: recording is empty; need at least one unit and one trial")
	}
	if opt.Segment == 0 {
		l, err := DefaultSegment(rec)
		if err != nil {
			return nil, err
		}
		opt.Segment = l
	}
	acc, err := NewAccumulator(rec.Units, rec.Populations, rec.Step, opt)
	if err != nil {
		return nil, err
	}
	for t := range rec.Trials {
		tr := &rec.Trials[t]
		if err := acc.Add(t, tr.Len, tr.Data); err != nil {
			return nil, err
		}
	}
	return acc.Stats()
}

// Accumulator computes Stats from a recording streamed in time blocks: Add each block
// in time order, then call Stats. Segments continue across the blocks of one trial and
// never cross from one trial into the next.
type Accumulator struct {
	seg, blocks  int
	step         float64
	units        []string
	pops         []string
	popOf        []int
	blockOf      []int // unit block of each unit
	dropConstant bool
	popN         []int
	phis         []models.Phi // per population
	plan         *fftPlan
	w, wm1       []complex128 // e^{2πif/L} and e^{2πif/L} − 1
	bands        []int

	trial     int
	started   bool
	haveFirst bool
	ordinal   int         // segments completed before the current block
	carry     [][]float64 // per unit: samples not yet in a complete segment
	first     []float64   // per unit: first sample seen
	varies    []bool      // per unit: some sample differs from first
	workers   []*statsWorker
}

// NewAccumulator prepares the accumulation for the named units with their population
// labels (nil: one population "all"), sampled every step time units.
func NewAccumulator(units, populations []string, step float64, opt StatsOptions) (*Accumulator, error) {
	L := opt.Segment
	if L < 4 || L&(L-1) != 0 {
		return nil, fmt.Errorf("likelihood: segment length %d is not a power of two ≥ 4; use e.g. 256, 1024 or 4096", L)
	}
	if !(step > 0) || math.IsInf(step, 0) {
		return nil, fmt.Errorf("likelihood: sampling step %v is not a positive number; give the recording's time step", step)
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("likelihood: no units to accumulate")
	}
	if populations != nil && len(populations) != len(units) {
		return nil, fmt.Errorf("likelihood: %d population labels for %d units", len(populations), len(units))
	}
	plan, err := newFFTPlan(L)
	if err != nil {
		return nil, err
	}
	acc := &Accumulator{seg: L, step: step, units: units, plan: plan, blocks: opt.Blocks, dropConstant: opt.DropConstant,
		popOf: make([]int, len(units)), blockOf: make([]int, len(units))}
	if acc.blocks <= 0 {
		acc.blocks = 8
	}
	index := map[string]int{}
	for i := range units {
		p := "all"
		if populations != nil {
			p = populations[i]
		}
		a, ok := index[p]
		if !ok {
			a = len(acc.pops)
			index[p] = a
			acc.pops = append(acc.pops, p)
			acc.popN = append(acc.popN, 0)
		}
		acc.popOf[i] = a
		acc.blockOf[i] = acc.popN[a] % acc.blocks
		acc.popN[a]++
	}
	for a, p := range acc.pops {
		if acc.popN[a] < 2 {
			return nil, fmt.Errorf("likelihood: population %q has only one unit (%s); its average spectrum needs at least two units: merge it with another population or drop it", p, unitsOf(acc, a))
		}
		phi := opt.Phi
		if q, ok := opt.PopPhi[p]; ok {
			phi = q
		}
		if phi == nil {
			phi = models.Tanh{}
		}
		acc.phis = append(acc.phis, phi)
	}
	nf := L/2 + 1
	acc.w, acc.wm1 = make([]complex128, nf), make([]complex128, nf)
	for f := range acc.w {
		s, c := math.Sincos(2 * math.Pi * float64(f) / float64(L))
		h := math.Sin(math.Pi * float64(f) / float64(L))
		acc.w[f] = complex(c, s)
		acc.wm1[f] = complex(-2*h*h, s) // cos ω − 1 without cancellation
	}
	acc.bands = bandEdges(L)
	acc.carry = make([][]float64, len(units))
	for i := range acc.carry {
		acc.carry[i] = make([]float64, 0, L+1)
	}
	acc.first = make([]float64, len(units))
	acc.varies = make([]bool, len(units))
	nw := opt.Workers
	if nw <= 0 {
		nw = runtime.GOMAXPROCS(0)
	}
	for range nw {
		acc.workers = append(acc.workers, acc.newWorker())
	}
	return acc, nil
}

func unitsOf(acc *Accumulator, a int) string {
	for i, p := range acc.popOf {
		if p == a {
			return "unit " + acc.units[i]
		}
	}
	return "no unit"
}

// bandEdges splits ordinates 1..L/2 into four bands of equal width in log frequency.
func bandEdges(L int) []int {
	top := float64(L / 2)
	e := []int{1}
	for j := 1; j <= 4; j++ {
		v := int(math.Round(math.Pow(top, float64(j)/4)))
		if j == 4 {
			v = L/2 + 1
		}
		if v > e[len(e)-1] {
			e = append(e, v)
		}
	}
	return e
}

// Add accumulates a block of n samples per unit, unit-major (unit i at
// block[i*n:(i+1)*n]), of the given trial. Blocks of a trial come in time order.
func (acc *Accumulator) Add(trial, n int, block []float64) error {
	if n < 0 || len(block) != n*len(acc.units) {
		return fmt.Errorf("likelihood: block of %d values does not hold %d samples of %d units", len(block), n, len(acc.units))
	}
	if !acc.started || trial != acc.trial {
		for i := range acc.carry {
			acc.carry[i] = acc.carry[i][:0]
		}
		acc.trial, acc.started = trial, true
	}
	if n == 0 {
		return nil
	}
	if !acc.haveFirst {
		for i := range acc.first {
			acc.first[i] = block[i*n]
		}
		acc.haveFirst = true
	}
	total := len(acc.carry[0]) + n
	nseg := 0
	if total > acc.seg {
		nseg = (total - 1) / acc.seg
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	const chunk = 4
	for _, w := range acc.workers {
		w.grow(acc.ordinal + nseg)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(acc.units) {
					return
				}
				for i := lo; i < min(lo+chunk, len(acc.units)); i++ {
					w.unit(acc, i, block[i*n:(i+1)*n], nseg)
				}
			}
		}()
	}
	wg.Wait()
	acc.ordinal += nseg
	return nil
}

// Stats returns the statistics accumulated so far.
func (acc *Accumulator) Stats() (*Stats, error) {
	var dropped []int
	units := append([]int(nil), acc.popN...)
	for i, v := range acc.varies {
		if !v {
			if !acc.dropConstant {
				return nil, fmt.Errorf("likelihood: unit %s is constant (every sample is %v); its spectrum is zero: drop the unit", acc.units[i], acc.first[i])
			}
			dropped = append(dropped, i)
			units[acc.popOf[i]]--
		}
	}
	for a, n := range units {
		if n < 2 {
			return nil, fmt.Errorf("likelihood: population %q has %d units that are not constant; its average spectrum needs at least two", acc.pops[a], n)
		}
	}
	for _, w := range acc.workers {
		if w.bad >= 0 {
			return nil, fmt.Errorf("likelihood: unit %s has a value that is NaN or infinite; remove or interpolate it", acc.units[w.bad])
		}
	}
	if acc.ordinal == 0 {
		return nil, fmt.Errorf("likelihood: no trial has the %d samples one segment of length %d needs; use a shorter segment length", acc.seg+1, acc.seg)
	}
	P, nf := len(acc.pops), acc.seg/2+1
	st := &Stats{Segment: acc.seg, Step: acc.step, Pops: append([]string(nil), acc.pops...),
		Units: units, Bands: append([]int(nil), acc.bands...),
		Total: newSpectra(P, nf), Cells: make([][]Spectra, acc.blocks), Timeline: make([]BandPower, acc.ordinal)}
	for u := range st.Cells {
		st.Cells[u] = make([]Spectra, acc.blocks)
		for s := range st.Cells[u] {
			st.Cells[u][s] = newSpectra(P, nf)
			for _, w := range acc.workers {
				w.cells[u][s].addTo(&st.Cells[u][s], acc.w, acc.wm1)
			}
			st.Total.Add(&st.Cells[u][s])
		}
	}
	id := make([]int, P)
	for a := range id {
		id[a] = a
	}
	for k := range st.Timeline {
		st.Timeline[k] = newBandPower(P, len(acc.bands)-1)
		for _, w := range acc.workers {
			st.Timeline[k].add(&w.timeline[k], id)
		}
	}
	for _, i := range dropped {
		acc.subtractConstant(st, i)
	}
	return st, nil
}

// subtractConstant removes from st what the constant unit i added: in each segment
// one count and, at the DC ordinate only, |X(0)|²/L = Lv² and |Φ(0)|²/L = Lφ(v)².
func (acc *Accumulator) subtractConstant(st *Stats, i int) {
	a, v := acc.popOf[i], acc.first[i]
	L := float64(acc.seg)
	p := acc.phis[a].Eval(v)
	for k := range acc.ordinal {
		for _, sp := range []*Spectra{&st.Cells[acc.blockOf[i]][k%acc.blocks], &st.Total} {
			sp.Count[a]--
			sp.XX[a][0] -= L * v * v
			sp.PP[a][0] -= L * p * p
		}
		st.Timeline[k].Count[a]--
	}
	st.Dropped = append(st.Dropped, acc.units[i])
}

// statsWorker owns the buffers and partial sums of one goroutine.
type statsWorker struct {
	buf      []complex128
	xs, ps   []float64
	cells    [][]rawSpectra
	timeline []BandPower
	nb       int
	bad      int // a unit with a non-finite value, or −1
}

func (acc *Accumulator) newWorker() *statsWorker {
	P, nf := len(acc.pops), acc.seg/2+1
	w := &statsWorker{buf: make([]complex128, acc.seg), xs: make([]float64, acc.seg+1), ps: make([]float64, acc.seg),
		cells: make([][]rawSpectra, acc.blocks), nb: len(acc.bands) - 1, bad: -1}
	for u := range w.cells {
		w.cells[u] = make([]rawSpectra, acc.blocks)
		for s := range w.cells[u] {
			w.cells[u][s] = newRawSpectra(P, nf)
		}
	}
	return w
}

func (w *statsWorker) grow(n int) {
	for len(w.timeline) < n {
		P := len(w.cells[0][0].count)
		w.timeline = append(w.timeline, newBandPower(P, w.nb))
	}
}

// unit accumulates the nseg segments completed by this block for unit i and keeps the
// remaining samples as the unit's carry.
func (w *statsWorker) unit(acc *Accumulator, i int, x []float64, nseg int) {
	if !acc.varies[i] {
		for _, v := range x {
			if v != acc.first[i] {
				acc.varies[i] = true
				break
			}
		}
	}
	L := acc.seg
	carry := acc.carry[i]
	c := len(carry)
	for s := range nseg {
		start := s * L
		// Gather x[start .. start+L] from carry and block.
		if start < c {
			k := copy(w.xs, carry[start:])
			copy(w.xs[k:], x[:L+1-k])
		} else {
			copy(w.xs, x[start-c:start-c+L+1])
		}
		w.segment(acc, i, acc.ordinal+s)
	}
	if nseg == 0 {
		acc.carry[i] = append(carry, x...)
	} else {
		acc.carry[i] = append(carry[:0], x[nseg*L-c:]...)
	}
}

// segment transforms x[0..L-1] + iφ(x[0..L-1]) of the gathered segment and adds its
// periodograms to the unit's cell and the segment's band sums.
func (w *statsWorker) segment(acc *Accumulator, i, ordinal int) {
	L := acc.seg
	a := acc.popOf[i]
	xs := w.xs[:L]
	phiInto(acc.phis[a], w.ps, xs)
	buf := w.buf
	acc.plan.transformReIm(buf, xs, w.ps)
	c := w.xs[L] - w.xs[0]
	cell := &w.cells[acc.blockOf[i]][ordinal%acc.blocks]
	tl := &w.timeline[ordinal]
	nf := L/2 + 1
	xxs, pps, crs, cis := cell.xx[a][:nf], cell.pp[a][:nf], cell.cr[a][:nf], cell.ci[a][:nf]
	mask := L - 1
	bands := acc.bands
	var tot float64
	for b := 0; b+1 < len(bands); b++ {
		var sxx, spp float64
		for f := bands[b]; f < bands[b+1]; f++ {
			// Z = X + iΦ, so 2X = Z(f) + conj Z(L−f) and 2iΦ = Z(f) − conj Z(L−f).
			zf, zr := buf[f], buf[(L-f)&mask]
			xr, xi := real(zf)+real(zr), imag(zf)-imag(zr)
			pr, pi := imag(zf)+imag(zr), real(zr)-real(zf)
			xx := xr*xr + xi*xi
			pp := pr*pr + pi*pi
			xxs[f] += xx
			pps[f] += pp
			crs[f] += c * xr
			cis[f] += c * xi
			sxx += xx
			spp += pp
		}
		tl.X[a][b] += sxx / float64(4*L)
		tl.Phi[a][b] += spp / float64(4*L)
		tot += sxx + spp
	}
	// The DC ordinate, outside the bands.
	zr := real(buf[0])
	xxs[0] += 4 * zr * zr
	pps[0] += 4 * imag(buf[0]) * imag(buf[0])
	crs[0] += 2 * c * zr
	cell.c2[a] += c * c
	cell.count[a]++
	tl.Count[a]++
	if math.IsNaN(tot+c) || math.IsInf(tot+c, 0) {
		w.bad = i
	}
}

// phiInto stores φ(x[k]) in dst[k], with a fast path for tanh.
func phiInto(phi models.Phi, dst, x []float64) {
	if _, ok := phi.(models.Tanh); ok {
		tanhInto(dst, x)
		return
	}
	for k, v := range x {
		dst[k] = phi.Eval(v)
	}
}
