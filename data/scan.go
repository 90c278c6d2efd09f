package data

import (
	"fmt"
	"math"
)

// Block is a stretch of consecutive samples of one trial delivered by a Scanner.
type Block struct {
	Trial int       // index into Scanner.Trials()
	Start float64   // time of the first sample
	Len   int       // number of samples
	Data  []float64 // unit-major: unit i is Data[i*Len:(i+1)*Len]; valid until the next Next
}

// Unit returns the samples of unit i in the block.
func (b *Block) Unit(i int) []float64 { return b.Data[i*b.Len : (i+1)*b.Len : (i+1)*b.Len] }

// Scanner reads a wide-layout recording in time blocks, in file order: one block per
// Parquet row group or Arrow record batch (more when a row group holds several trials).
//
// Memory bound: a Scanner holds one row group at a time. Plain DOUBLE columns without a
// trial column (what ldfit, pandas, polars and DuckDB write for float data) are decoded
// straight into the block: the bound is one row group of values plus its time column
// and one page of compressed data per core. Other files go through Arrow and hold the
// row group up to three times (the Arrow columns, the unit-major copy and, when the row
// group is split by trials or the time window, the returned blocks). Files written by
// ldfit have row groups of at most RowGroupValues values (32 MiB), so scanning one costs
// about 32 MiB whatever the length of the recording; a foreign file with one huge row
// group costs up to three times that row group. On top of this comes the Parquet footer,
// which every reader holds: about 0.6 KiB per column chunk (units × row groups) for
// files ldfit writes, which carry no column statistics, and a few KiB per chunk for
// files with statistics.
//
// A long-layout file has no time order that could be streamed; Scan reads it whole
// (memory as ReadRecording) and delivers one block per trial. Scan supports the NaN
// policy NaNError only (a NaN anywhere is an error naming the column and time); read with
// ReadRecording to drop or interpolate NaNs.
type Scanner struct {
	src      *source
	opt      ReadOptions
	units    []string
	pops     []string
	step     float64
	start    float64 // start from metadata, for files without a time column
	cols     []int
	hasT     bool
	hasTrial bool
	tname    string

	trials []string
	tpos   map[string]int
	next   []float64 // per trial: expected time of the next sample
	count  []int     // per trial: samples seen so far (files without t)

	raw, out []float64
	pending  []Block
	block    Block
	err      error
	whole    *Recording // long layout: read whole
	wholeAt  int
	leaves   []int // Parquet leaves of the unit (and time) columns on the direct path
	tbuf     []float64
}

// Scan opens a recording for streaming; see Scanner. The options are those of
// ReadRecording (Units, Exclude, From, To, Step, StepTol, Population; NaN must be NaNError).
func Scan(path string, opt ReadOptions) (*Scanner, error) {
	if opt.NaN != NaNError {
		return nil, fmt.Errorf("%s: Scan supports only the NaN policy error; read with ReadRecording to %s NaNs", path, opt.NaN)
	}
	s, err := openSource(path, opt.mem)
	if err != nil {
		return nil, err
	}
	sc := &Scanner{src: s, opt: opt, tpos: map[string]int{}}
	switch detectLayout(s.schema) {
	case layoutSpikes:
		s.Close()
		return nil, fmt.Errorf("%s: is a spike table (columns unit, time); bin it into a recording first (ldfit convert --bin 0.02)", path)
	case layoutLong:
		rec, err := readLong(s, &sc.opt)
		s.Close()
		if err != nil {
			return nil, err
		}
		sc.whole, sc.units, sc.pops, sc.step = rec, rec.Units, rec.Populations, rec.Step
		for _, t := range rec.Trials {
			if _, ok := sc.tpos[t.Name]; !ok {
				sc.tpos[t.Name] = len(sc.trials)
				sc.trials = append(sc.trials, t.Name)
			}
		}
		return sc, nil
	}
	units, tcol, trialcol, err := wideColumns(s, &sc.opt)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, u := range units {
		sc.units = append(sc.units, s.schema.Field(u).Name)
	}
	if sc.pops, err = widePopulations(s, &sc.opt, sc.units); err != nil {
		s.Close()
		return nil, err
	}
	sc.cols = units
	if tcol >= 0 {
		sc.hasT, sc.tname = true, s.schema.Field(tcol).Name
		sc.cols = append(sc.cols[:len(units):len(units)], tcol)
	}
	if trialcol >= 0 {
		sc.hasTrial = true
		sc.cols = append(sc.cols, trialcol)
	} else if leaves, ok := s.doubleLeaves(sc.cols); ok {
		sc.leaves = leaves
	}
	if _, ok := s.meta[metaStep]; ok || !sc.hasT {
		if sc.step, sc.start, err = fileStep(s, &sc.opt); err != nil {
			s.Close()
			return nil, err
		}
	}
	if sc.hasT && sc.step == 0 {
		// The step comes from the first time stamps.
		if err := sc.fill(); err != nil {
			s.Close()
			return nil, err
		}
		if sc.step == 0 {
			s.Close()
			return nil, fmt.Errorf("%s: cannot tell the sampling step from fewer than two samples in the first row group; add \"dt\" metadata or give ReadOptions.Step", path)
		}
	}
	return sc, nil
}

// Units returns the unit names (the order of the rows of a block).
func (s *Scanner) Units() []string { return s.units }

// Populations returns the population label of each unit, or nil.
func (s *Scanner) Populations() []string { return s.pops }

// Step returns the sampling step.
func (s *Scanner) Step() float64 { return s.step }

// Trials returns the names of the trials met so far, indexed by Block.Trial.
func (s *Scanner) Trials() []string { return s.trials }

// Meta returns the key-value metadata of the file.
func (s *Scanner) Meta() map[string]string {
	if s.whole != nil {
		return s.whole.Meta
	}
	return s.src.meta
}

// Next advances to the next block; it returns false at the end or on an error (see Err).
func (s *Scanner) Next() bool {
	if s.err != nil {
		return false
	}
	if s.whole != nil {
		if s.wholeAt >= len(s.whole.Trials) {
			return false
		}
		t := s.whole.Trials[s.wholeAt]
		s.wholeAt++
		s.block = Block{Trial: s.tpos[t.Name], Start: t.Start, Len: t.Len, Data: t.Data}
		return true
	}
	for len(s.pending) == 0 {
		if s.src.done {
			return false
		}
		if s.err = s.fill(); s.err != nil {
			return false
		}
	}
	s.block, s.pending = s.pending[0], s.pending[1:]
	return true
}

// Block returns the current block.
func (s *Scanner) Block() Block { return s.block }

// Err returns the first error met, or nil at a normal end.
func (s *Scanner) Err() error { return s.err }

// Close releases the file.
func (s *Scanner) Close() error {
	if s.whole != nil || s.src == nil {
		return nil
	}
	return s.src.Close()
}

// fill reads the next row group into pending blocks.
func (s *Scanner) fill() error {
	raw, times, trials, n, err := s.load()
	if err != nil || n < 0 {
		return err
	}
	nu := len(s.units)
	// Runs of rows of one trial become blocks.
	var blocks []Block
	outLen := 0
	for r := 0; r < n; {
		name := ""
		if trials != nil {
			name = trials[r]
		}
		e := r + 1
		for e < n && (trials == nil || trials[e] == name) {
			e++
		}
		tr, err := s.trialIndex(name)
		if err != nil {
			return err
		}
		t := make([]float64, e-r)
		for i := range t {
			t[i], err = s.timeOf(tr, times, r+i)
			if err != nil {
				return err
			}
		}
		lo, hi := s.inWindow(t)
		if hi > lo {
			blocks = append(blocks, Block{Trial: tr, Start: t[lo], Len: hi - lo, Data: []float64{float64(r + lo)}})
			outLen += (hi - lo) * nu
		}
		r = e
	}
	if len(blocks) == 1 && blocks[0].Len == n {
		blocks[0].Data = raw
	} else {
		if cap(s.out) < outLen {
			s.out = make([]float64, outLen)
		}
		off := 0
		for i := range blocks {
			b := &blocks[i]
			r0 := int(b.Data[0])
			b.Data = s.out[off : off+b.Len*nu]
			for u := 0; u < nu; u++ {
				copy(b.Data[u*b.Len:(u+1)*b.Len], raw[u*n+r0:u*n+r0+b.Len])
			}
			off += b.Len * nu
		}
	}
	for _, b := range blocks {
		for u := 0; u < nu; u++ {
			for k, v := range b.Unit(u) {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%s: column %q: non-finite or missing value %v at t=%v%s; fix the data, or read with ReadRecording and a NaN policy (--nan=drop|interpolate)", s.src.path, s.units[u], v, b.Start+float64(k)*s.step, trialSuffix(s.trials[b.Trial]))
				}
			}
		}
	}
	s.pending = append(s.pending, blocks...)
	return nil
}

func (s *Scanner) trialIndex(name string) (int, error) {
	k, ok := s.tpos[name]
	if !ok {
		k = len(s.trials)
		s.tpos[name] = k
		s.trials = append(s.trials, name)
		s.next = append(s.next, math.NaN())
		s.count = append(s.count, 0)
	}
	return k, nil
}

// timeOf returns the time of row r of trial tr, checking it continues the trial's grid.
func (s *Scanner) timeOf(tr int, times []float64, r int) (float64, error) {
	if times == nil {
		t := s.start + float64(s.count[tr])*s.step
		s.count[tr]++
		return t, nil
	}
	t := times[r]
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return 0, fmt.Errorf("%s: column %q: non-finite time stamp %v%s", s.src.path, s.tname, t, trialSuffix(s.trials[tr]))
	}
	want := s.next[tr]
	switch {
	case math.IsNaN(want):
	case s.step == 0:
		// Second sample of the file: it fixes the step.
		if t <= want {
			return 0, fmt.Errorf("%s: column %q: time stamps not increasing: %v follows %v%s; sort the file by time", s.src.path, s.tname, t, s.next[tr], trialSuffix(s.trials[tr]))
		}
		s.step = t - s.next[tr]
	default:
		prev := want - s.step
		tol := s.opt.stepTol() * s.step
		switch {
		case t == prev:
			return 0, fmt.Errorf("%s: column %q: duplicated time stamp %v%s", s.src.path, s.tname, t, trialSuffix(s.trials[tr]))
		case t < prev:
			return 0, fmt.Errorf("%s: column %q: unsorted time stamps: %v follows %v%s; sort the file by time", s.src.path, s.tname, t, prev, trialSuffix(s.trials[tr]))
		case math.Abs(t-want) > tol:
			return 0, fmt.Errorf("%s: column %q: non-uniform sampling: %v follows %v, step %v instead of %v (StepTol %g)%s", s.src.path, s.tname, t, prev, t-prev, s.step, s.opt.stepTol(), trialSuffix(s.trials[tr]))
		}
	}
	if s.step == 0 {
		s.next[tr] = t // provisional: the previous time until the step is known
	} else {
		s.next[tr] = t + s.step
	}
	return t, nil
}

// inWindow returns the range of the times t inside [From, To).
func (s *Scanner) inWindow(t []float64) (lo, hi int) {
	if s.opt.From == 0 && s.opt.To == 0 {
		return 0, len(t)
	}
	eps := s.opt.stepTol() * s.step
	lo, hi = 0, len(t)
	for lo < hi && t[lo] < s.opt.From-eps {
		lo++
	}
	if s.opt.To != 0 {
		for hi > lo && t[hi-1] >= s.opt.To-eps {
			hi--
		}
	}
	return lo, hi
}

// load decodes the next row group or record batch: the unit-major values, the times and
// trials per row (nil when the file has none) and the row count; n < 0 at the end.
func (s *Scanner) load() (raw, times []float64, trials []string, n int, err error) {
	nu := len(s.units)
	if s.leaves != nil {
		rg := s.src.next
		if rg >= s.src.pieces() {
			s.src.done = true
			return nil, nil, nil, -1, nil
		}
		s.src.next++
		n = int(s.src.pqFile.MetaData().RowGroups[rg].NumRows)
		if err := s.src.plausible(n, len(s.leaves)); err != nil {
			return nil, nil, nil, 0, err
		}
		if cap(s.raw) < n*nu {
			s.raw = make([]float64, n*nu)
		}
		raw = s.raw[:n*nu]
		if s.hasT {
			if cap(s.tbuf) < n {
				s.tbuf = make([]float64, n)
			}
			times = s.tbuf[:n]
		}
		err = parallel(len(s.leaves), func(i int) error {
			dst := times
			if i < nu {
				dst = raw[i*n : (i+1)*n]
			}
			if err := s.src.readDoubles(rg, s.leaves[i], dst); err != nil {
				return fmt.Errorf("%s: row group %d, column %q: corrupt or truncated Parquet data: %v", s.src.path, rg, s.src.schema.Field(s.cols[i]).Name, err)
			}
			return nil
		})
		return raw, times, nil, n, err
	}
	p, err := s.src.readNext(s.cols)
	if err != nil || p == nil {
		return nil, nil, nil, -1, err
	}
	defer p.Release()
	n = p.rows
	if cap(s.raw) < n*nu {
		s.raw = make([]float64, n*nu)
	}
	raw = s.raw[:n*nu]
	for u := 0; u < nu; u++ {
		got, err := columnFloats(raw[u*n:u*n], p.cols[u])
		if err != nil {
			return nil, nil, nil, 0, fmt.Errorf("%s: column %q: %v", s.src.path, s.units[u], err)
		}
		if len(got) != n {
			return nil, nil, nil, 0, fmt.Errorf("%s: column %q: %d values in a row group of %d rows", s.src.path, s.units[u], len(got), n)
		}
	}
	c := nu
	if s.hasT {
		if times, err = columnFloats(nil, p.cols[c]); err != nil {
			return nil, nil, nil, 0, fmt.Errorf("%s: column %q: %v", s.src.path, s.tname, err)
		}
		c++
	}
	if s.hasTrial {
		if trials, err = columnStrings(nil, p.cols[c]); err != nil {
			return nil, nil, nil, 0, fmt.Errorf("%s: column \"trial\": %v", s.src.path, err)
		}
	}
	return raw, times, trials, n, nil
}
