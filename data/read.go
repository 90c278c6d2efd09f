package data

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
)

// Metadata keys ldfit writes and reads.
const (
	metaVersion     = "ldfit.version"
	metaLayout      = "ldfit.layout"
	metaUnits       = "units"       // JSON array of unit names
	metaPopulations = "populations" // JSON object unit → population label
	metaStep        = "dt"
	metaStart       = "start"
	metaTimeUnit    = "time_unit"
)

// layout is how a table stores activity.
type layout int

const (
	layoutWide   layout = iota + 1 // one row per time, one column per unit
	layoutLong                     // unit, t, value (, trial)
	layoutSpikes                   // unit, time (, trial)
)

func (l layout) String() string {
	return [...]string{"", "wide", "long", "spike table"}[l]
}

// detectLayout tells the layout from the column names: unit + t|time + value is long,
// unit + time without value is a spike table, anything else is wide.
func detectLayout(sc *arrow.Schema) layout {
	has := func(n string) bool { return len(sc.FieldIndices(n)) > 0 }
	switch {
	case has("unit") && (has("t") || has("time")) && has("value"):
		return layoutLong
	case has("unit") && has("time") && !has("value"):
		return layoutSpikes
	}
	return layoutWide
}

// ReadRecording reads a recording from a Parquet (.parquet) or Arrow IPC file or stream
// (.arrow, .feather, .arrows; the format is detected from the content). The layout is
// detected from the schema:
//
//   - long: columns unit (string or integer), t or time (numeric), value (numeric), and
//     optionally trial (string or integer) and a population column;
//   - wide: one numeric column per unit, optionally a time column t and a trial column.
//     Without t, the step is the "dt" key-value metadata or opt.Step, and the start time
//     the "start" metadata or 0. Columns named __index_level_N__ (pandas) are ignored.
//
// Time stamps must increase within a trial and be uniform to within opt.StepTol. Trials
// appear in order of first appearance; units in file order (wide) or order of first
// appearance (long), unless opt.Units fixes the order. A spike table is an error: read it
// with ReadSpikes and bin it.
func ReadRecording(path string, opt ReadOptions) (*Recording, error) {
	s, err := openSource(path, opt.mem)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	switch detectLayout(s.schema) {
	case layoutSpikes:
		return nil, fmt.Errorf("%s: is a spike table (columns unit, time); bin it into a recording (ReadSpikes and Spikes.Bin, or ldfit convert --bin 0.02)", path)
	case layoutLong:
		return readLong(s, &opt)
	}
	return readWide(s, &opt)
}

// rawRecording is a whole recording file read into Go columns, before checks.
type rawRecording struct {
	units  []string
	series [][]float64 // per unit, per row
	times  []float64   // per row; nil when the file has no time column
	trials []string    // per row; nil when the file has no trial column
	rows   int
	// backing, when not nil, holds series[i] at backing[i*rows:(i+1)*rows]: the
	// unit-major layout of a Trial.
	backing []float64
}

// wideColumns chooses the unit columns of a wide table.
func wideColumns(s *source, opt *ReadOptions) (units []int, tcol, trialcol int, err error) {
	sc := s.schema
	tcol, trialcol = s.field("t"), s.field("trial")
	if tcol < 0 {
		tcol = s.field("time")
	}
	if tcol >= 0 && !isNumeric(sc.Field(tcol).Type) {
		return nil, 0, 0, fmt.Errorf("%s: time column %q has type %s, not numeric", s.path, sc.Field(tcol).Name, sc.Field(tcol).Type)
	}
	if trialcol >= 0 && !isText(sc.Field(trialcol).Type) {
		return nil, 0, 0, fmt.Errorf("%s: column \"trial\" has type %s; trials must be strings or integers", s.path, sc.Field(trialcol).Type)
	}
	seen := map[string]int{}
	var cand []int
	for i, f := range sc.Fields() {
		if i == tcol || i == trialcol || strings.HasPrefix(f.Name, "__index_level_") {
			continue
		}
		if j, dup := seen[f.Name]; dup {
			return nil, 0, 0, fmt.Errorf("%s: duplicate unit name %q (columns %d and %d); rename one of them", s.path, f.Name, j, i)
		}
		seen[f.Name] = i
		cand = append(cand, i)
	}
	for _, x := range opt.Exclude {
		if _, ok := seen[x]; !ok {
			return nil, 0, 0, fmt.Errorf("%s: no unit column %q to exclude; units are %s", s.path, x, listNames(sc, cand))
		}
	}
	if len(opt.Units) > 0 {
		picked := map[string]bool{}
		for _, u := range opt.Units {
			i, ok := seen[u]
			if !ok {
				return nil, 0, 0, fmt.Errorf("%s: no unit column %q; units are %s", s.path, u, listNames(sc, cand))
			}
			if picked[u] {
				return nil, 0, 0, fmt.Errorf("%s: unit %q selected twice", s.path, u)
			}
			picked[u] = true
			if !slices.Contains(opt.Exclude, u) {
				units = append(units, i)
			}
		}
	} else {
		for _, i := range cand {
			if !slices.Contains(opt.Exclude, sc.Field(i).Name) {
				units = append(units, i)
			}
		}
	}
	for _, i := range units {
		if f := sc.Field(i); !isNumeric(f.Type) {
			return nil, 0, 0, fmt.Errorf("%s: column %q has type %s, not numeric; drop it with Exclude (--exclude %s)", s.path, f.Name, f.Type, f.Name)
		}
	}
	if len(units) == 0 {
		return nil, 0, 0, fmt.Errorf("%s: no unit columns to read (columns: %s)", s.path, listNames(sc, nil))
	}
	return units, tcol, trialcol, nil
}

func listNames(sc *arrow.Schema, idx []int) string {
	var names []string
	if idx == nil {
		for _, f := range sc.Fields() {
			names = append(names, f.Name)
		}
	} else {
		for _, i := range idx {
			names = append(names, sc.Field(i).Name)
		}
	}
	if len(names) == 0 {
		return "(none)"
	}
	if len(names) > 12 {
		return strings.Join(names[:12], ", ") + fmt.Sprintf(" ... (%d in all)", len(names))
	}
	return strings.Join(names, ", ")
}

func readWide(s *source, opt *ReadOptions) (*Recording, error) {
	units, tcol, trialcol, err := wideColumns(s, opt)
	if err != nil {
		return nil, err
	}
	raw := &rawRecording{series: make([][]float64, len(units))}
	for _, i := range units {
		raw.units = append(raw.units, s.schema.Field(i).Name)
	}
	cols := slices.Clone(units)
	if tcol >= 0 {
		cols = append(cols, tcol)
	}
	if trialcol >= 0 {
		cols = append(cols, trialcol)
	}
	if s.format == formatParquet {
		n := int(s.pqFile.NumRows())
		if err := s.plausible(n, len(units)); err != nil {
			return nil, err
		}
		// One allocation for all units, in the unit-major order of a Trial, so that a
		// whole-file read needs no further copy.
		raw.backing = make([]float64, n*len(units))
		for k := range raw.series {
			raw.series[k] = raw.backing[k*n : k*n : (k+1)*n]
		}
		if trialcol < 0 {
			if leaves, ok := s.doubleLeaves(cols); ok {
				return readWideFast(s, opt, raw, leaves, tcol)
			}
		}
	}
	for {
		p, err := s.readNext(cols)
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		for k := range units {
			if raw.series[k], err = columnFloats(raw.series[k], p.cols[k]); err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: column %q: %v", s.path, raw.units[k], err)
			}
		}
		c := len(units)
		if tcol >= 0 {
			if raw.times, err = columnFloats(raw.times, p.cols[c]); err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: column %q: %v", s.path, s.schema.Field(tcol).Name, err)
			}
			c++
		}
		if trialcol >= 0 {
			if raw.trials, err = columnStrings(raw.trials, p.cols[c]); err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: column \"trial\": %v", s.path, err)
			}
		}
		raw.rows += p.rows
		p.Release()
	}
	if raw.rows == 0 {
		return nil, fmt.Errorf("%s: empty: no rows", s.path)
	}
	return assembleWide(s, opt, raw, tcol)
}

// readWideFast decodes DOUBLE unit columns (and time column) straight into raw.
func readWideFast(s *source, opt *ReadOptions, raw *rawRecording, leaves []int, tcol int) (*Recording, error) {
	n := int(s.pqFile.NumRows())
	dst := make([][]float64, len(leaves))
	for k := range raw.series {
		raw.series[k] = raw.series[k][:n]
		dst[k] = raw.series[k]
	}
	if tcol >= 0 {
		raw.times = make([]float64, n)
		dst[len(dst)-1] = raw.times
	}
	if err := s.readAllDoubles(leaves, dst); err != nil {
		return nil, err
	}
	raw.rows = n
	if n == 0 {
		return nil, fmt.Errorf("%s: empty: no rows", s.path)
	}
	return assembleWide(s, opt, raw, tcol)
}

func widePopulations(s *source, opt *ReadOptions, units []string) ([]string, error) {
	key := opt.Population
	if key == "" {
		key = metaPopulations
		if _, ok := s.meta[key]; !ok {
			return nil, nil
		}
	}
	v, ok := s.meta[key]
	if !ok {
		return nil, fmt.Errorf("%s: no key-value metadata %q with population labels", s.path, key)
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(v), &m); err != nil {
		return nil, fmt.Errorf("%s: metadata %q must be a JSON object {\"unit\": \"population\"}: %v", s.path, key, err)
	}
	pops := make([]string, len(units))
	for i, u := range units {
		p, ok := m[u]
		if !ok {
			return nil, fmt.Errorf("%s: metadata %q has no population for unit %q", s.path, key, u)
		}
		pops[i] = p
	}
	return pops, nil
}

// fileStep is the step and start time from the file's metadata or the options.
func fileStep(s *source, opt *ReadOptions) (step, start float64, err error) {
	if v, ok := s.meta[metaStep]; ok {
		step, err = strconv.ParseFloat(v, 64)
		if err != nil || !(step > 0) || math.IsInf(step, 0) {
			return 0, 0, fmt.Errorf("%s: metadata \"dt\" = %q is not a positive number", s.path, v)
		}
	} else if opt.Step > 0 && !math.IsInf(opt.Step, 0) {
		step = opt.Step
	} else {
		return 0, 0, fmt.Errorf("%s: the file has neither a time column t nor \"dt\" metadata; give the sampling step (ReadOptions.Step, --step)", s.path)
	}
	if v, ok := s.meta[metaStart]; ok {
		start, err = strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(start, 0) || math.IsNaN(start) {
			return 0, 0, fmt.Errorf("%s: metadata \"start\" = %q is not a number", s.path, v)
		}
	}
	return step, start, nil
}

// trialRows groups row indices by trial, trials in order of first appearance.
func trialRows(trials []string, rows int) (names []string, idx [][]int) {
	if trials == nil {
		all := make([]int, rows)
		for i := range all {
			all[i] = i
		}
		return []string{""}, [][]int{all}
	}
	pos := map[string]int{}
	for i, t := range trials {
		k, ok := pos[t]
		if !ok {
			k = len(names)
			pos[t] = k
			names = append(names, t)
			idx = append(idx, nil)
		}
		idx[k] = append(idx[k], i)
	}
	return names, idx
}

// uniformStep checks that times increase uniformly and returns the step.
func uniformStep(path, col string, t []float64, tol float64) (float64, error) {
	for i, x := range t {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0, fmt.Errorf("%s: column %q: non-finite time stamp %v at row %d", path, col, x, i)
		}
		if i > 0 && x == t[i-1] {
			return 0, fmt.Errorf("%s: column %q: duplicated time stamp %v (rows %d and %d); each time may appear once per unit and trial", path, col, x, i-1, i)
		}
		if i > 0 && x < t[i-1] {
			return 0, fmt.Errorf("%s: column %q: unsorted time stamps: %v at row %d follows %v; sort the file by time", path, col, x, i, t[i-1])
		}
	}
	if len(t) < 2 {
		return 0, nil
	}
	// The median step is the reference, so the message points at the odd step.
	d := make([]float64, len(t)-1)
	for i := range d {
		d[i] = t[i+1] - t[i]
	}
	ref := slices.Clone(d)
	slices.Sort(ref)
	med := ref[len(ref)/2]
	for i, di := range d {
		if math.Abs(di-med) > tol*med {
			return 0, fmt.Errorf("%s: column %q: non-uniform sampling: step %v between t=%v and t=%v differs from the usual step %v by more than %g relative (StepTol); resample the recording on a uniform grid", path, col, di, t[i], t[i+1], med, tol)
		}
	}
	return (t[len(t)-1] - t[0]) / float64(len(t)-1), nil
}

// assemble turns raw columns into a Recording: trials, time checks, window, NaNs.
func assemble(s *source, opt *ReadOptions, raw *rawRecording, pops []string, tname string) (*Recording, error) {
	rec := &Recording{Units: raw.units, Populations: pops, TimeUnit: "s", Meta: s.meta}
	if u, ok := s.meta[metaTimeUnit]; ok && u != "" {
		rec.TimeUnit = u
	}
	names, idx := trialRows(raw.trials, raw.rows)
	tol := opt.stepTol()
	type span struct {
		start float64
		rows  []int
	}
	spans := make([]span, len(names))
	step := math.NaN()
	for k, rows := range idx {
		if raw.times == nil {
			spans[k] = span{rows: rows}
			continue
		}
		t := make([]float64, len(rows))
		for i, r := range rows {
			t[i] = raw.times[r]
		}
		st, err := uniformStep(s.path, tname, t, tol)
		if err != nil {
			if names[k] != "" {
				err = fmt.Errorf("%w (trial %q)", err, names[k])
			}
			return nil, err
		}
		if len(t) > 1 {
			if math.IsNaN(step) {
				step = st
			} else if math.Abs(st-step) > tol*step {
				return nil, fmt.Errorf("%s: trial %q has step %v, trial %q step %v; all trials must share one sampling step", s.path, names[k], st, names[0], step)
			}
		}
		spans[k] = span{start: t[0], rows: rows}
	}
	if math.IsNaN(step) {
		var start float64
		var err error
		step, start, err = fileStep(s, opt)
		if err != nil {
			return nil, err
		}
		if raw.times == nil {
			for k := range spans {
				spans[k].start = start
			}
		}
	}
	if v, ok := s.meta[metaStep]; ok && raw.times != nil {
		// The exact step the writer recorded, when the time stamps agree with it.
		if dt, err := strconv.ParseFloat(v, 64); err == nil && math.Abs(dt-step) <= tol*dt {
			step = dt
		}
	}
	rec.Step = step
	var nanNote []string
	for k, sp := range spans {
		lo, hi := window(sp.start, step, len(sp.rows), opt)
		if hi <= lo {
			continue
		}
		n := hi - lo
		tr := Trial{Name: names[k], Start: sp.start + float64(lo)*step, Len: n}
		contiguous := sp.rows[n-1+lo]-sp.rows[lo] == n-1
		if contiguous && n == raw.rows && raw.backing != nil && len(raw.backing) == n*len(raw.units) {
			tr.Data = raw.backing // the whole file: no copy
		} else {
			tr.Data = make([]float64, n*len(raw.units))
			for u, series := range raw.series {
				dst := tr.Data[u*n : (u+1)*n]
				if contiguous {
					copy(dst, series[sp.rows[lo]:])
					continue
				}
				for i := range dst {
					dst[i] = series[sp.rows[lo+i]]
				}
			}
		}
		parts, note, err := applyNaN(s.path, rec, tr, opt.NaN)
		if err != nil {
			return nil, err
		}
		if note != "" {
			nanNote = append(nanNote, note)
		}
		rec.Trials = append(rec.Trials, parts...)
	}
	if len(rec.Trials) == 0 {
		return nil, fmt.Errorf("%s: no samples in the time window [%v, %v); the file covers %s", s.path, opt.From, opt.To, coverage(spans[0].start, step, len(spans[0].rows)))
	}
	if len(nanNote) > 0 {
		rec.Meta = cloneMeta(rec.Meta)
		rec.Meta["ldfit.nan"] = strings.Join(nanNote, "; ")
	}
	return rec, nil
}

func coverage(start, step float64, n int) string {
	return fmt.Sprintf("[%v, %v)", start, start+float64(n)*step)
}

func cloneMeta(m map[string]string) map[string]string {
	c := make(map[string]string, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}

// window returns the sample range [lo, hi) of a trial kept by opt.From and opt.To.
func window(start, step float64, n int, opt *ReadOptions) (lo, hi int) {
	eps := opt.stepTol() * step
	lo, hi = 0, n
	if opt.From != 0 || opt.To != 0 {
		lo = int(math.Ceil((opt.From - start - eps) / step))
		lo = max(lo, 0)
	}
	if opt.To != 0 {
		hi = int(math.Ceil((opt.To - start - eps) / step))
		hi = min(hi, n)
	}
	return lo, max(hi, lo)
}

// applyNaN checks a trial for non-finite values and applies the policy.
func applyNaN(path string, rec *Recording, tr Trial, p NaNPolicy) ([]Trial, string, error) {
	n := tr.Len
	if allFinite(tr.Data) {
		return []Trial{tr}, "", nil
	}
	bad := make([]bool, n)
	var nbad int
	for u := range rec.Units {
		x := tr.Unit(u)
		for k, v := range x {
			if math.IsInf(v, 0) {
				return nil, "", fmt.Errorf("%s: column %q: infinite value %v at t=%v; fix the data (infinities are not treated as missing)", path, rec.Units[u], v, tr.Start+float64(k)*rec.Step)
			}
			if math.IsNaN(v) {
				if p == NaNError {
					return nil, "", fmt.Errorf("%s: column %q: NaN or missing value at t=%v%s; choose what to do with NaN (--nan=drop or --nan=interpolate)", path, rec.Units[u], tr.Start+float64(k)*rec.Step, trialSuffix(tr.Name))
				}
				if !bad[k] {
					bad[k] = true
					nbad++
				}
			}
		}
	}
	if nbad == 0 {
		return []Trial{tr}, "", nil
	}
	switch p {
	case NaNDrop:
		var parts []Trial
		for k := 0; k < n; {
			if bad[k] {
				k++
				continue
			}
			e := k
			for e < n && !bad[e] {
				e++
			}
			m := e - k
			part := Trial{Name: tr.Name, Start: tr.Start + float64(k)*rec.Step, Len: m, Data: make([]float64, m*len(rec.Units))}
			for u := range rec.Units {
				copy(part.Data[u*m:(u+1)*m], tr.Data[u*n+k:u*n+e])
			}
			parts = append(parts, part)
			k = e
		}
		return parts, fmt.Sprintf("dropped %d time rows with NaN%s, leaving %d contiguous pieces", nbad, trialSuffix(tr.Name), len(parts)), nil
	default:
		var count, units int
		for u := range rec.Units {
			c, err := interpolate(tr.Unit(u))
			if err != nil {
				return nil, "", fmt.Errorf("%s: column %q: %v%s; NaNs can be interpolated only between two values (use --nan=drop, or a time window without them)", path, rec.Units[u], err, trialSuffix(tr.Name))
			}
			if c > 0 {
				count += c
				units++
			}
		}
		return []Trial{tr}, fmt.Sprintf("interpolated %d NaN values in %d units%s", count, units, trialSuffix(tr.Name)), nil
	}
}

// allFinite reports whether x holds neither NaN nor ±Inf: x−x is 0 for every finite x
// and NaN otherwise, one comparison per value.
func allFinite(x []float64) bool {
	for _, v := range x {
		if v-v != 0 {
			return false
		}
	}
	return true
}

func trialSuffix(name string) string {
	if name == "" {
		return ""
	}
	return fmt.Sprintf(" (trial %q)", name)
}

// interpolate fills NaN runs of x linearly between their neighbours.
func interpolate(x []float64) (int, error) {
	count := 0
	for k := 0; k < len(x); k++ {
		if !math.IsNaN(x[k]) {
			continue
		}
		e := k
		for e < len(x) && math.IsNaN(x[e]) {
			e++
		}
		if k == 0 {
			return 0, fmt.Errorf("leading NaN (first %d samples)", e)
		}
		if e == len(x) {
			return 0, fmt.Errorf("trailing NaN (last %d samples)", e-k)
		}
		a, b := x[k-1], x[e]
		for i := k; i < e; i++ {
			w := float64(i-k+1) / float64(e-k+1)
			x[i] = a + w*(b-a)
		}
		count += e - k
		k = e
	}
	return count, nil
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// assembleWide finishes a wide recording read into raw: populations, time column name,
// and the checks and windows of assemble.
func assembleWide(s *source, opt *ReadOptions, raw *rawRecording, tcol int) (*Recording, error) {
	pops, err := widePopulations(s, opt, raw.units)
	if err != nil {
		return nil, err
	}
	tname := "t"
	if tcol >= 0 {
		tname = s.schema.Field(tcol).Name
	}
	return assemble(s, opt, raw, pops, tname)
}
