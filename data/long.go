package data

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// readLong reads the long layout: one row per (unit, time[, trial]) with its value. Units
// and trials are coded as small integers while reading, the time grid of each trial is
// found from the time stamps, and every value is placed on it; grid points without a
// value are NaN (missing), then the NaN policy applies.
func readLong(s *source, opt *ReadOptions) (*Recording, error) {
	sc := s.schema
	ucol, vcol := s.field("unit"), s.field("value")
	tcol := s.field("t")
	if tcol < 0 {
		tcol = s.field("time")
	}
	trialcol := s.field("trial")
	popname := opt.Population
	if popname == "" {
		popname = "population"
	}
	popcol := s.field(popname)
	if opt.Population != "" && popcol < 0 {
		return nil, fmt.Errorf("%s: no population column %q (columns: %s)", s.path, opt.Population, listNames(sc, nil))
	}
	for _, c := range []int{ucol, trialcol, popcol} {
		if c >= 0 && !isText(sc.Field(c).Type) {
			return nil, fmt.Errorf("%s: column %q has type %s; it must hold strings or integers", s.path, sc.Field(c).Name, sc.Field(c).Type)
		}
	}
	for _, c := range []int{tcol, vcol} {
		if !isNumeric(sc.Field(c).Type) {
			return nil, fmt.Errorf("%s: column %q has type %s, not numeric", s.path, sc.Field(c).Name, sc.Field(c).Type)
		}
	}
	cols := []int{ucol, tcol, vcol}
	names := []string{"unit", sc.Field(tcol).Name, "value"}
	if trialcol >= 0 {
		cols, names = append(cols, trialcol), append(names, "trial")
	}
	if popcol >= 0 {
		cols, names = append(cols, popcol), append(names, popname)
	}
	var (
		units, trials, popc = newCoder(), newCoder(), newCoder()
		ucode, tcode, pcode []int32
		t, v                []float64
	)
	if s.format == formatParquet {
		// The row count is known: no growing by appends (a long table has many rows).
		n := int(s.pqFile.NumRows())
		if err := s.plausible(n, 2); err != nil {
			return nil, err
		}
		ucode, t, v = make([]int32, 0, n), make([]float64, 0, n), make([]float64, 0, n)
		if trialcol >= 0 {
			tcode = make([]int32, 0, n)
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
		bad := 0
		if ucode, err = appendCodes(ucode, p.cols[0], units); err == nil {
			bad = 1
			if t, err = columnFloats(t, p.cols[1]); err == nil {
				bad = 2
				v, err = columnFloats(v, p.cols[2])
			}
		}
		for j := 3; err == nil && j < len(cols); j++ {
			bad = j
			if cols[j] == trialcol {
				tcode, err = appendCodes(tcode, p.cols[j], trials)
			} else {
				pcode, err = appendCodes(pcode, p.cols[j], popc)
			}
		}
		p.Release()
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %v", s.path, names[bad], err)
		}
	}
	if len(ucode) == 0 {
		return nil, fmt.Errorf("%s: empty: no rows", s.path)
	}
	keep, colOf, err := longUnits(s.path, units.names, opt)
	if err != nil {
		return nil, err
	}
	var pops []string
	if popcol >= 0 {
		pops = make([]string, len(keep))
		set := make([]bool, len(keep))
		for r, u := range ucode {
			i := colOf[u]
			if i < 0 {
				continue
			}
			p := popc.names[pcode[r]]
			if set[i] && pops[i] != p {
				return nil, fmt.Errorf("%s: column %q: unit %q has two populations, %q and %q", s.path, popname, keep[i], pops[i], p)
			}
			pops[i], set[i] = p, true
		}
	}
	tname := sc.Field(tcol).Name
	ntr := max(1, len(trials.names))
	grids := make([]grid, ntr)
	for k := range grids {
		grids[k] = grid{lo: math.Inf(1), hi: math.Inf(-1), step: math.Inf(1)}
	}
	// The grid of each trial: first and last time, and the smallest positive step between
	// consecutive rows, which is the sampling step whether the table lists a unit's
	// samples together or all units' samples of one time together. Rows in any other
	// order are placed after sorting the distinct times.
	for r, x := range t {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%s: column %q: non-finite time stamp %v in row %d", s.path, tname, x, r)
		}
		if colOf[ucode[r]] < 0 {
			continue
		}
		k := 0
		if tcode != nil {
			k = int(tcode[r])
		}
		g := &grids[k]
		g.lo, g.hi = min(g.lo, x), max(g.hi, x)
		if r > 0 && (tcode == nil || tcode[r-1] == tcode[r]) && x > t[r-1] {
			g.step = min(g.step, x-t[r-1])
		}
	}
	step := math.Inf(1)
	for _, g := range grids {
		step = min(step, g.step)
	}
	raw, err := placeLong(s.path, tname, opt, keep, colOf, ucode, tcode, trials, t, v, grids, step)
	if err != nil {
		if !errors.Is(err, errOffGrid) {
			return nil, err
		}
		if step, err = distinctStep(s.path, tname, opt, colOf, ucode, tcode, trials, t, len(grids)); err != nil {
			return nil, err
		}
		if raw, err = placeLong(s.path, tname, opt, keep, colOf, ucode, tcode, trials, t, v, grids, step); err != nil {
			return nil, err
		}
	}
	if math.IsInf(step, 1) {
		// One time stamp per trial: the step must come from elsewhere.
		if _, _, err = fileStep(s, opt); err != nil {
			return nil, err
		}
	}
	return assemble(s, opt, raw, pops, tname)
}

var errOffGrid = errors.New("time stamp off the grid")

// distinctStep checks the sorted distinct times of every trial for uniform sampling and
// returns the step.
func distinctStep(path, tname string, opt *ReadOptions, colOf []int, ucode, tcode []int32, trials *coder, t []float64, ntr int) (float64, error) {
	ts := make([][]float64, ntr)
	for r, x := range t {
		if colOf[ucode[r]] < 0 {
			continue
		}
		k := 0
		if tcode != nil {
			k = int(tcode[r])
		}
		ts[k] = append(ts[k], x)
	}
	step := math.Inf(1)
	for k, x := range ts {
		slices.Sort(x)
		x = slices.Compact(x)
		st, err := uniformStep(path, tname, x, opt.stepTol())
		if err != nil {
			return 0, fmt.Errorf("%w%s", err, trialSuffix(trialName(trials, k)))
		}
		if len(x) > 1 {
			step = min(step, st)
		}
	}
	return step, nil
}

// placeLong puts the values of a long table on the trials' time grids.
func placeLong(path, tname string, opt *ReadOptions, keep []string, colOf []int, ucode, tcode []int32, trials *coder, t, v []float64, grids []grid, step float64) (*rawRecording, error) {
	tol := opt.stepTol()
	raw := &rawRecording{units: keep, series: make([][]float64, len(keep))}
	for k := range grids {
		g := &grids[k]
		g.n, g.off = 0, raw.rows
		if math.IsInf(g.lo, 1) {
			continue
		}
		span := 0.0
		if !math.IsInf(step, 1) {
			span = (g.hi - g.lo) / step
		} else if g.hi > g.lo {
			return nil, fmt.Errorf("%s: column %q: no step between consecutive rows: %w", path, tname, errOffGrid)
		}
		if span > 1<<40 {
			return nil, fmt.Errorf("%s: column %q: times from %v to %v with step %v make too long a grid; check the time unit", path, tname, g.lo, g.hi, step)
		}
		g.n = int(math.Round(span)) + 1
		raw.rows += g.n
		g.step = step
		if g.n > 1 {
			g.step = (g.hi - g.lo) / float64(g.n-1)
		}
	}
	if raw.rows*len(keep) > 4*len(t)+1024 {
		return nil, fmt.Errorf("%s: column %q: %d values fill less than a quarter of the grid of %d units × %d samples (step %v); is the sampling step right? (resample the recording on a uniform grid)", path, tname, len(t), len(keep), raw.rows, step)
	}
	raw.backing = make([]float64, raw.rows*len(keep))
	for i := range raw.backing {
		raw.backing[i] = math.NaN()
	}
	for u := range raw.series {
		raw.series[u] = raw.backing[u*raw.rows : (u+1)*raw.rows]
	}
	filled := make([]uint64, (len(raw.backing)+63)/64)
	for r, x := range t {
		u := colOf[ucode[r]]
		if u < 0 {
			continue
		}
		k := 0
		if tcode != nil {
			k = int(tcode[r])
		}
		g := &grids[k]
		i := 0
		if g.n > 1 {
			f := (x - g.lo) / g.step
			i = int(math.Round(f))
			if math.Abs(f-float64(i)) > tol || i < 0 || i >= g.n {
				return nil, fmt.Errorf("%s: column %q: t=%v (unit %q%s) is not on the grid %v + k·%v: %w", path, tname, x, keep[u], trialSuffix(trialName(trials, k)), g.lo, g.step, errOffGrid)
			}
		}
		j := u*raw.rows + g.off + i
		if filled[j/64]&(1<<(j%64)) != 0 {
			return nil, fmt.Errorf("%s: column %q: duplicated time stamp %v for unit %q%s; each (unit, time) pair may appear once", path, tname, x, keep[u], trialSuffix(trialName(trials, k)))
		}
		filled[j/64] |= 1 << (j % 64)
		raw.backing[j] = v[r]
	}
	raw.times = make([]float64, 0, raw.rows)
	if tcode != nil {
		raw.trials = make([]string, 0, raw.rows)
	}
	for k, g := range grids {
		for i := 0; i < g.n; i++ {
			raw.times = append(raw.times, g.lo+float64(i)*g.step)
			if tcode != nil {
				raw.trials = append(raw.trials, trials.names[k])
			}
		}
	}
	return raw, nil
}

// grid is the time grid of one trial of a long table: n samples from lo, rows off.. of
// the assembled columns.
type grid struct {
	lo, hi, step float64
	n, off       int
}

func trialName(c *coder, k int) string {
	if k < len(c.names) {
		return c.names[k]
	}
	return ""
}

// longUnits applies the unit selection to the units of a long table: the kept names and,
// per unit code, its column or -1.
func longUnits(path string, all []string, opt *ReadOptions) ([]string, []int, error) {
	upos := map[string]int{}
	for i, u := range all {
		upos[u] = i
	}
	for _, x := range opt.Exclude {
		if _, ok := upos[x]; !ok {
			return nil, nil, fmt.Errorf("%s: no unit %q to exclude in column \"unit\"", path, x)
		}
	}
	keep := all
	if len(opt.Units) > 0 {
		keep = nil
		for _, u := range opt.Units {
			if _, ok := upos[u]; !ok {
				return nil, nil, fmt.Errorf("%s: no unit %q in column \"unit\"; units are %s", path, u, strings.Join(firstN(all, 12), ", "))
			}
			if slices.Contains(keep, u) {
				return nil, nil, fmt.Errorf("%s: unit %q selected twice", path, u)
			}
			keep = append(keep, u)
		}
	}
	keep = slices.DeleteFunc(slices.Clone(keep), func(u string) bool { return slices.Contains(opt.Exclude, u) })
	if len(keep) == 0 {
		return nil, nil, fmt.Errorf("%s: no units left to read after selection", path)
	}
	colOf := make([]int, len(all))
	for i := range colOf {
		colOf[i] = -1
	}
	for i, u := range keep {
		colOf[upos[u]] = i
	}
	return keep, colOf, nil
}
