package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/parquet/file"
	"gonum.org/v1/gonum/stat"

	"github.com/ldfit/ldfit/data"
)

func init() {
	var rf *recordingFlags
	register(&command{
		name:    "inspect",
		usage:   "FILE",
		summary: "describe a recording, spike table or labelled set: layout, units, time, NaNs, statistics",
		help: `inspect reads FILE (Parquet or Arrow IPC) and prints its format and the layout
detected: wide or long recording, spike table, or labelled set.

Recordings: units, samples, sampling step, time span, trials, NaNs and gaps, and per
unit the mean, standard deviation, minimum and maximum. The file is read in one pass
holding one row group at a time. NaNs are reported: without --nan, a recording holding
NaNs is described with the NaN rows dropped.

Spike tables: units, spikes, time span, the longest silence, and per unit the spike
count, rate in spikes per second and first and last spike. The span runs from the first
to the last spike of all units, or over --from and --to; rates are counts over it. With --bin the table is
binned first and the binned recording is described.

Labelled sets (a label column and no time): examples, classes with their sizes, and
per feature the mean, standard deviation, minimum and maximum.

Other tables, such as the results ldfit writes with -o: the columns, the first rows
and the ldfit metadata, with the reason the file is not a recording.

The recording flags select units and a time window as in every other command.`,
		flags: func(fs *flag.FlagSet) { rf = addRecordingFlags(fs) },
		run:   func(e *env, args []string) error { return runInspect(e, args, rf) },
	})
}

// fileInfo is what inspect reports, as JSON or as a table.
type fileInfo struct {
	File         string            `json:"file"`
	Format       string            `json:"format"`
	Compression  string            `json:"compression,omitempty"` // Parquet: codec of the first column chunk
	RowGroups    int               `json:"row_groups"`            // Parquet row groups or Arrow record batches (-1: a stream, unknown)
	Layout       string            `json:"layout"`                // wide, long, spike table, or "binned spike table"
	Units        int               `json:"units"`
	Samples      int               `json:"samples,omitempty"` // recordings, summed over trials
	Spikes       int               `json:"spikes,omitempty"`  // spike tables
	Step         number            `json:"step,omitempty"`
	TimeUnit     string            `json:"time_unit"`
	Start        number            `json:"start"`
	End          number            `json:"end"`
	Duration     number            `json:"duration"` // summed over trials
	Trials       []trialInfo       `json:"trials"`
	NaN          string            `json:"nan"`  // what was found and done
	Gaps         string            `json:"gaps"` // breaks in the time grid, or the longest silence of a spike table
	PerUnit      []unitInfo        `json:"per_unit,omitempty"`
	Examples     int               `json:"examples,omitempty"`      // labelled sets
	Classes      []classInfo       `json:"classes,omitempty"`       // labelled sets
	PerFeature   []unitInfo        `json:"per_feature,omitempty"`   // labelled sets
	Rows         int               `json:"rows,omitempty"`          // other tables
	Columns      []tableColumn     `json:"columns,omitempty"`       // other tables
	NotRecording string            `json:"not_recording,omitempty"` // other tables: why the file is not read as a recording
	Meta         map[string]string `json:"metadata,omitempty"`
}

type trialInfo struct {
	Name    string `json:"name"`
	Start   number `json:"start"`
	End     number `json:"end"`
	Samples int    `json:"samples,omitempty"`
	Spikes  int    `json:"spikes,omitempty"`
}

type classInfo struct {
	Class    string `json:"class"`
	Examples int    `json:"examples"`
}

type unitInfo struct {
	Unit       string  `json:"unit"`
	Population string  `json:"population,omitempty"`
	Mean       *number `json:"mean,omitempty"`
	Std        *number `json:"std,omitempty"`
	Min        *number `json:"min,omitempty"`
	Max        *number `json:"max,omitempty"`
	Spikes     *int    `json:"spikes,omitempty"`
	Rate       *number `json:"rate,omitempty"` // spikes per second
	First      *number `json:"first,omitempty"`
	Last       *number `json:"last,omitempty"`
}

func runInspect(e *env, args []string, rf *recordingFlags) error {
	if err := wantArgs(args, "FILE"); err != nil {
		return err
	}
	if e.Out != "" {
		return usagef("inspect prints to stdout and writes no file; remove -o (use --json for a machine-readable report)")
	}
	path := args[0]
	if err := rf.check(); err != nil {
		return err
	}
	spikes, err := data.IsSpikeTable(path) // also validates the file, with clear errors
	if err != nil {
		return err
	}
	ff, err := peek(path)
	if err != nil {
		return err
	}
	var info *fileInfo
	switch {
	case spikes && !rf.binning():
		info, err = inspectSpikes(path, rf)
	case !spikes && ff.labelled():
		info, err = inspectLabelled(e, path)
	default:
		info, err = inspectRecording(e, path, rf)
		if err != nil && !spikes && !ff.has("t") && ff.layout() == "wide" {
			// Not a recording, perhaps a result table that ldfit wrote: show it as one.
			if tab, terr := inspectTable(path, err); terr == nil {
				info, err = tab, nil
			}
		}
	}
	if err != nil {
		return err
	}
	info.Format, info.RowGroups, info.Compression = ff.format, ff.rowGroups, ff.compression
	if info.Layout == "" {
		info.Layout = ff.layout()
	}
	if spikes && rf.binning() {
		info.Layout = "binned spike table"
	}
	if e.JSON {
		return writeJSON(e.stdout, info)
	}
	printInfo(e.stdout, info)
	return nil
}

// tableColumn is one column of a table that is neither a recording nor a labelled set,
// with its first values.
type tableColumn struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"` // float64, int64 or string
	Values []string `json:"values"`
}

// tableRows is how many rows of a table inspect shows.
const tableRows = 20

// inspectTable describes a table that is not a recording (a result table, for
// instance): its columns and first rows. why is the error of reading it as a recording.
func inspectTable(path string, why error) (*fileInfo, error) {
	t, err := data.ReadTable(path)
	if err != nil {
		return nil, err
	}
	info := &fileInfo{File: path, Layout: "table", Rows: t.Rows(), Meta: t.Meta, NotRecording: why.Error()}
	for _, c := range t.Columns {
		tc := tableColumn{Name: c.Name}
		n := min(c.Len(), tableRows)
		switch {
		case c.Float != nil:
			tc.Type = "float64"
			for _, v := range c.Float[:n] {
				tc.Values = append(tc.Values, formatFloat(v, 6))
			}
		case c.Int != nil:
			tc.Type = "int64"
			for _, v := range c.Int[:n] {
				tc.Values = append(tc.Values, fmt.Sprint(v))
			}
		default:
			tc.Type = "string"
			tc.Values = append(tc.Values, c.String[:n]...)
		}
		info.Columns = append(info.Columns, tc)
	}
	return info, nil
}

func printTableInfo(w io.Writer, in *fileInfo, format string) {
	for _, r := range [][2]string{
		{"file", in.File},
		{"format", format},
		{"layout", "table (not a recording: " + in.NotRecording + ")"},
		{"rows", fmt.Sprint(in.Rows)},
		{"columns", fmt.Sprint(len(in.Columns))},
	} {
		fmt.Fprintf(w, "%-8s  %s\n", r[0], r[1])
	}
	var keys []string
	for k := range in.Meta {
		if strings.HasPrefix(k, "ldfit.") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%-8s  %s = %s\n", "meta", k, in.Meta[k])
	}
	fmt.Fprintln(w)
	header := make([]string, len(in.Columns))
	var rows [][]string
	for j, c := range in.Columns {
		header[j] = c.Name
		for i, v := range c.Values {
			if i == len(rows) {
				rows = append(rows, make([]string, len(in.Columns)))
			}
			rows[i][j] = v
		}
	}
	printTable(w, header, rows)
	if in.Rows > len(rows) {
		fmt.Fprintf(w, "… %d more rows (--json shows the same first %d)\n", in.Rows-len(rows), len(rows))
	}
}

// inspectLabelled describes a labelled data set: examples, classes with their sizes,
// and per feature mean, standard deviation, minimum and maximum.
func inspectLabelled(e *env, path string) (*fileInfo, error) {
	if err := e.addInput(path); err != nil {
		return nil, err
	}
	l, err := data.ReadLabelled(path, data.LabelledOptions{})
	if err != nil {
		return nil, err
	}
	info := &fileInfo{File: path, Layout: "labelled set", Examples: l.P()}
	count := make([]int, len(l.Classes))
	for _, y := range l.Y {
		count[y]++
	}
	for k, c := range l.Classes {
		info.Classes = append(info.Classes, classInfo{Class: c, Examples: count[k]})
	}
	col := make([]float64, l.P())
	for j, f := range l.Features {
		for i := range col {
			col[i] = l.X[i*l.D()+j]
		}
		mean, std := stat.MeanStdDev(col, nil)
		info.PerFeature = append(info.PerFeature, unitInfo{Unit: f, Mean: ptr(number(mean)), Std: ptr(number(std)),
			Min: ptr(number(slices.Min(col))), Max: ptr(number(slices.Max(col)))})
	}
	return info, nil
}

// inspectRecording describes a recording (or a spike table binned by the flags). A
// recording file is first scanned block by block, in memory bounded by one row group;
// when that fails (NaNs, or a choice of --nan that needs the whole file) it is read
// whole, and a file with NaNs is described with its NaN rows dropped.
func inspectRecording(e *env, path string, rf *recordingFlags) (*fileInfo, error) {
	if !rf.binning() && rf.nan == "error" {
		if err := e.addInput(path); err != nil {
			return nil, err
		}
		if info, err := scanRecording(e, path, rf); err == nil {
			return info, nil
		}
	}
	rec, err := rf.load(e, path)
	nanNote := ""
	if err != nil && rf.nan == "error" {
		// Describe a file with NaNs rather than refuse it: drop the NaN rows and say so.
		drop := *rf
		drop.nan = "drop"
		if r, err2 := drop.load(&env{stderr: io.Discard, name: e.name}, path); err2 == nil && r.Meta["ldfit.nan"] != "" {
			rec, err = r, nil
			nanNote = " (described without them; choose --nan=drop or --nan=interpolate for other commands)"
		}
	}
	if err != nil {
		return nil, err
	}
	info := &fileInfo{File: path, Units: rec.N(), Samples: rec.Samples(), Step: number(rec.Step),
		TimeUnit: rec.TimeUnit, Meta: rec.Meta, NaN: "none", Gaps: "none"}
	if n := rec.Meta["ldfit.nan"]; n != "" {
		info.NaN = n + nanNote
	}
	info.Start, info.End = number(math.Inf(1)), number(math.Inf(-1))
	for _, tr := range rec.Trials {
		end := tr.Start + float64(tr.Len)*rec.Step
		info.Trials = append(info.Trials, trialInfo{Name: tr.Name, Start: number(tr.Start), End: number(end), Samples: tr.Len})
		info.Start = min(info.Start, number(tr.Start))
		info.End = max(info.End, number(end))
		info.Duration += number(float64(tr.Len) * rec.Step)
	}
	info.Gaps = gridGaps(rec)
	for i, u := range rec.Units {
		info.PerUnit = append(info.PerUnit, unitStats(rec, i, u))
	}
	return info, nil
}

// scanRecording describes a recording in one pass over its time blocks.
func scanRecording(e *env, path string, rf *recordingFlags) (*fileInfo, error) {
	s, err := data.Scan(path, rf.readOptions())
	if err != nil {
		return nil, err
	}
	defer s.Close()
	total := 0 // samples, when the file says: the rows of a wide Parquet file
	if ff, err := peek(path); err == nil && ff.layout() == "wide" {
		total = int(ff.rows)
	}
	p := e.progress("inspect "+filepath.Base(path), total)
	defer p.Done()
	units := s.Units()
	acc := make([]moments, len(units))
	var trials []trialInfo // indexed like s.Trials()
	step := s.Step()
	for s.Next() {
		b := s.Block()
		for len(trials) <= b.Trial {
			trials = append(trials, trialInfo{Name: s.Trials()[len(trials)], Start: number(b.Start)})
		}
		// Scan checks that the blocks of a trial follow each other on the time grid.
		tr := &trials[b.Trial]
		tr.End, tr.Samples = number(b.Start+float64(b.Len)*step), tr.Samples+b.Len
		for i := range units {
			acc[i].add(b.Unit(i))
		}
		p.Add(b.Len)
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	if len(trials) == 0 {
		return nil, fmt.Errorf("%s: no samples in the time window", path)
	}
	info := &fileInfo{File: path, Units: len(units), Step: number(step), TimeUnit: "s", Meta: s.Meta(),
		NaN: "none", Gaps: "none", Trials: trials, Start: number(math.Inf(1)), End: number(math.Inf(-1))}
	if u := info.Meta["time_unit"]; u != "" {
		info.TimeUnit = u
	}
	for _, t := range trials {
		info.Samples += t.Samples
		info.Start, info.End = min(info.Start, t.Start), max(info.End, t.End)
		info.Duration += number(float64(t.Samples) * step)
	}
	pops := s.Populations()
	for i, u := range units {
		a := acc[i]
		ui := unitInfo{Unit: u, Mean: ptr(number(a.mean)), Std: ptr(number(math.Sqrt(a.m2 / float64(a.n-1)))),
			Min: ptr(number(a.min)), Max: ptr(number(a.max))}
		if pops != nil {
			ui.Population = pops[i]
		}
		info.PerUnit = append(info.PerUnit, ui)
	}
	return info, nil
}

// moments accumulates count, mean, sum of squared deviations, minimum and maximum of a
// series delivered in blocks. Each block's own mean and squared deviations are merged
// with Chan et al.'s pairwise update, which keeps the variance accurate when the mean
// is large compared with the spread.
type moments struct {
	n        int
	mean, m2 float64
	min, max float64
}

func (m *moments) add(x []float64) {
	if len(x) == 0 {
		return
	}
	mb, ss := 0.0, 0.0
	lo, hi := x[0], x[0]
	for _, v := range x {
		mb += v
		lo, hi = min(lo, v), max(hi, v)
	}
	mb /= float64(len(x))
	for _, v := range x {
		ss += (v - mb) * (v - mb)
	}
	if m.n == 0 {
		*m = moments{n: len(x), mean: mb, m2: ss, min: lo, max: hi}
		return
	}
	na, nb := float64(m.n), float64(len(x))
	d := mb - m.mean
	m.n += len(x)
	m.mean += d * nb / float64(m.n)
	m.m2 += ss + d*d*na*nb/float64(m.n)
	m.min, m.max = min(m.min, lo), max(m.max, hi)
}

// unitStats returns mean, standard deviation, minimum and maximum of unit i over all
// trials.
func unitStats(rec *data.Recording, i int, name string) unitInfo {
	x := make([]float64, 0, rec.Samples())
	for t := range rec.Trials {
		x = append(x, rec.Trials[t].Unit(i)...)
	}
	mean, std := stat.MeanStdDev(x, nil)
	lo, hi := slices.Min(x), slices.Max(x)
	u := unitInfo{Unit: name, Mean: ptr(number(mean)), Std: ptr(number(std)), Min: ptr(number(lo)), Max: ptr(number(hi))}
	if rec.Populations != nil {
		u.Population = rec.Populations[i]
	}
	return u
}

// gridGaps describes breaks between consecutive trials of the same name (as left by
// dropping NaN rows), or "none".
func gridGaps(rec *data.Recording) string {
	var gaps []string
	total := 0.0
	for k := 1; k < len(rec.Trials); k++ {
		a, b := rec.Trials[k-1], rec.Trials[k]
		if a.Name != b.Name {
			continue
		}
		end := a.Start + float64(a.Len)*rec.Step
		if d := b.Start - end; d > 0.5*rec.Step {
			total += d
			gaps = append(gaps, fmt.Sprintf("[%s, %s)", formatFloat(end, 6), formatFloat(b.Start, 6)))
		}
	}
	if len(gaps) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d, %s %s in all: %s", len(gaps), formatFloat(total, 4), rec.TimeUnit, abbrev(gaps, 5))
}

// inspectSpikes describes a spike table: per unit spike count, rate, first and last
// spike; the window and units selected by the flags.
func inspectSpikes(path string, rf *recordingFlags) (*fileInfo, error) {
	s, err := data.ReadSpikes(path)
	if err != nil {
		return nil, err
	}
	keep, err := unitFilter(s.Units, splitList(rf.units), splitList(rf.exclude))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ntrial := max(len(s.Trials), 1)
	first := make([]float64, ntrial) // per trial: window
	last := make([]float64, ntrial)
	for k := range first {
		first[k], last[k] = math.Inf(1), math.Inf(-1)
	}
	type unitAcc struct {
		n           int
		first, last float64
	}
	acc := make([]unitAcc, len(s.Units))
	for i := range acc {
		acc[i] = unitAcc{first: math.Inf(1), last: math.Inf(-1)}
	}
	times := make([][]float64, ntrial) // per trial: kept spike times, for the gaps
	inWindow := func(t float64) bool { return t >= rf.from && (rf.to == 0 || t < rf.to) }
	total := 0
	for j, t := range s.Time {
		u := s.Unit[j]
		if !keep[u] || !inWindow(t) {
			continue
		}
		k := 0
		if s.Trial != nil {
			k = s.Trial[j]
		}
		a := &acc[u]
		a.n++
		a.first, a.last = min(a.first, t), max(a.last, t)
		first[k], last[k] = min(first[k], t), max(last[k], t)
		times[k] = append(times[k], t)
		total++
	}
	if total == 0 {
		return nil, fmt.Errorf("%s: no spikes of the selected units in the window [%v, %v); widen --from/--to or check --units", path, rf.from, windowEnd(rf.to))
	}
	info := &fileInfo{File: path, Layout: "spike table", Spikes: total, TimeUnit: "s", Meta: s.Meta,
		NaN: "none", Start: number(math.Inf(1)), End: number(math.Inf(-1))}
	for k := range ntrial {
		if math.IsInf(first[k], 1) {
			continue // no spikes in this trial's window
		}
		// The span of a trial runs from --from (or its first spike) to --to (or its
		// last spike). Binning starts at 0 instead, but rates over that window would
		// be wrong for a recording on an absolute clock that starts late.
		lo, hi := first[k], last[k]
		if rf.from != 0 || rf.to != 0 {
			lo = rf.from
		}
		if rf.to != 0 {
			hi = rf.to
		}
		name := ""
		if s.Trials != nil {
			name = s.Trials[k]
		}
		info.Trials = append(info.Trials, trialInfo{Name: name, Start: number(lo), End: number(hi), Spikes: len(times[k])})
		info.Start, info.End = min(info.Start, number(lo)), max(info.End, number(hi))
		info.Duration += number(hi - lo)
	}
	info.Gaps = longestSilence(times)
	for i, u := range s.Units {
		if !keep[i] {
			continue
		}
		info.Units++
		a := acc[i]
		ui := unitInfo{Unit: u, Spikes: ptr(a.n), Rate: ptr(number(float64(a.n) / float64(info.Duration)))}
		if a.n > 0 {
			ui.First, ui.Last = ptr(number(a.first)), ptr(number(a.last))
		}
		info.PerUnit = append(info.PerUnit, ui)
	}
	return info, nil
}

func windowEnd(to float64) any {
	if to == 0 {
		return "end"
	}
	return to
}

// unitFilter returns which of units are kept by --units and --exclude.
func unitFilter(units, keep, drop []string) ([]bool, error) {
	index := make(map[string]int, len(units))
	for i, u := range units {
		index[u] = i
	}
	out := make([]bool, len(units))
	for i := range out {
		out[i] = len(keep) == 0
	}
	for _, u := range keep {
		i, ok := index[u]
		if !ok {
			return nil, usagef("--units names unit %q, which is not in the file (units: %s)", u, abbrev(units, 8))
		}
		out[i] = true
	}
	for _, u := range drop {
		i, ok := index[u]
		if !ok {
			return nil, usagef("--exclude names unit %q, which is not in the file (units: %s)", u, abbrev(units, 8))
		}
		out[i] = false
	}
	return out, nil
}

// longestSilence describes the longest interval without any spike of the population.
func longestSilence(times [][]float64) string {
	best, at := 0.0, 0.0
	for _, ts := range times {
		sort.Float64s(ts)
		for j := 1; j < len(ts); j++ {
			if d := ts[j] - ts[j-1]; d > best {
				best, at = d, ts[j-1]
			}
		}
	}
	return fmt.Sprintf("longest silence of all units %s s, from %s s", formatFloat(best, 4), formatFloat(at, 6))
}

// fileFormat is what the first bytes and the footer or schema of a file say.
type fileFormat struct {
	format      string // Parquet, Arrow IPC file or Arrow IPC stream
	rowGroups   int    // row groups or record batches; -1 for a stream
	rows        int64  // Parquet: rows in the file; 0 when unknown
	compression string // Parquet: codec of the first column chunk
	columns     []string
}

// peek reads the format and columns of the file at path without reading its data.
func peek(path string) (*fileFormat, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, 6)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	ff := &fileFormat{}
	var fields []arrow.Field
	switch {
	case bytes.HasPrefix(head[:n], []byte("PAR1")):
		pf, err := file.NewParquetReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer pf.Close()
		ff.format, ff.rowGroups, ff.rows = "Parquet", pf.NumRowGroups(), pf.NumRows()
		md := pf.MetaData()
		if ff.rowGroups > 0 && md.Schema.NumColumns() > 0 {
			if cc, err := md.RowGroup(0).ColumnChunk(0); err == nil {
				ff.compression = strings.ToLower(cc.Compression().String())
			}
		}
		root := md.Schema.Root()
		for i := range root.NumFields() {
			ff.columns = append(ff.columns, root.Field(i).Name())
		}
		return ff, nil
	case bytes.HasPrefix(head[:n], []byte("ARROW1")):
		r, err := ipc.NewFileReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer r.Close()
		ff.format, ff.rowGroups, fields = "Arrow IPC file", r.NumRecords(), r.Schema().Fields()
	default:
		r, err := ipc.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		defer r.Release()
		ff.format, ff.rowGroups, fields = "Arrow IPC stream", -1, r.Schema().Fields()
	}
	for _, fd := range fields {
		ff.columns = append(ff.columns, fd.Name)
	}
	return ff, nil
}

func (ff *fileFormat) has(name string) bool { return slices.Contains(ff.columns, name) }

// layout tells a long recording from a wide one by the rule of data.ReadRecording:
// columns unit, t or time, and value make a long recording.
func (ff *fileFormat) layout() string {
	if ff.has("unit") && ff.has("value") && (ff.has("t") || ff.has("time")) {
		return "long"
	}
	return "wide"
}

// labelled reports whether the file is a labelled data set: a label column, and no
// time or unit column.
func (ff *fileFormat) labelled() bool {
	return ff.has("label") && !ff.has("t") && !ff.has("time") && !ff.has("unit")
}

func ptr[T any](v T) *T { return &v }

// printInfo writes the report as a summary followed by the per-unit table.
func printInfo(w io.Writer, in *fileInfo) {
	format := in.Format
	switch {
	case in.RowGroups >= 0 && in.Format == "Parquet":
		format += fmt.Sprintf(", %d row group%s, %s", in.RowGroups, plural(in.RowGroups), in.Compression)
	case in.RowGroups >= 0:
		format += fmt.Sprintf(", %d record batch%s", in.RowGroups, pluralES(in.RowGroups))
	}
	switch in.Layout {
	case "labelled set":
		printLabelled(w, in, format)
		return
	case "table":
		printTableInfo(w, in, format)
		return
	}
	rows := [][]string{
		{"file", in.File},
		{"format", format},
		{"layout", in.Layout},
		{"units", fmt.Sprint(in.Units)},
	}
	if in.Spikes > 0 {
		rows = append(rows, []string{"spikes", fmt.Sprint(in.Spikes)}, []string{"rates", rateSummary(in.PerUnit)})
	} else {
		rows = append(rows,
			[]string{"samples", fmt.Sprint(in.Samples)},
			[]string{"step", formatFloat(float64(in.Step), 6) + " " + in.TimeUnit})
	}
	rows = append(rows,
		[]string{"time", fmt.Sprintf("%s to %s %s (%s %s)", formatFloat(float64(in.Start), 6), formatFloat(float64(in.End), 6), in.TimeUnit, formatFloat(float64(in.Duration), 6), in.TimeUnit)},
		[]string{"trials", trialSummary(in.Trials)},
		[]string{"NaN", in.NaN},
		[]string{"gaps", in.Gaps})
	for _, r := range rows {
		fmt.Fprintf(w, "%-8s  %s\n", r[0], r[1])
	}
	fmt.Fprintln(w)
	if in.Spikes > 0 {
		header := []string{"unit", "spikes", "rate (1/s)", "first (s)", "last (s)"}
		var t [][]string
		for _, u := range in.PerUnit {
			t = append(t, []string{u.Unit, fmt.Sprint(*u.Spikes), fnum(u.Rate, 4), fnum(u.First, 6), fnum(u.Last, 6)})
		}
		printTable(w, header, t)
		return
	}
	header := []string{"unit", "mean", "std", "min", "max"}
	withPop := len(in.PerUnit) > 0 && in.PerUnit[0].Population != ""
	if withPop {
		header = slices.Insert(header, 1, "population")
	}
	var t [][]string
	for _, u := range in.PerUnit {
		r := []string{u.Unit, fnum(u.Mean, 5), fnum(u.Std, 5), fnum(u.Min, 5), fnum(u.Max, 5)}
		if withPop {
			r = slices.Insert(r, 1, u.Population)
		}
		t = append(t, r)
	}
	printTable(w, header, t)
}

func printLabelled(w io.Writer, in *fileInfo, format string) {
	classes := make([]string, len(in.Classes))
	for i, c := range in.Classes {
		classes[i] = fmt.Sprintf("%s (%d)", c.Class, c.Examples)
	}
	for _, r := range [][2]string{
		{"file", in.File},
		{"format", format},
		{"layout", in.Layout},
		{"examples", fmt.Sprint(in.Examples)},
		{"features", fmt.Sprint(len(in.PerFeature))},
		{"classes", fmt.Sprintf("%d: %s", len(classes), abbrev(classes, 12))},
	} {
		fmt.Fprintf(w, "%-8s  %s\n", r[0], r[1])
	}
	fmt.Fprintln(w)
	var t [][]string
	for _, u := range in.PerFeature {
		t = append(t, []string{u.Unit, fnum(u.Mean, 5), fnum(u.Std, 5), fnum(u.Min, 5), fnum(u.Max, 5)})
	}
	printTable(w, []string{"feature", "mean", "std", "min", "max"}, t)
}

// rateSummary gives the range and median of the units' spike rates.
func rateSummary(us []unitInfo) string {
	r := make([]float64, len(us))
	for i, u := range us {
		r[i] = float64(*u.Rate)
	}
	sort.Float64s(r)
	med := stat.Quantile(0.5, stat.Empirical, r, nil)
	return fmt.Sprintf("%s to %s spikes/s per unit, median %s", formatFloat(r[0], 3), formatFloat(r[len(r)-1], 3), formatFloat(med, 3))
}

func trialSummary(ts []trialInfo) string {
	if !slices.ContainsFunc(ts, func(t trialInfo) bool { return t.Name != "" }) {
		if len(ts) == 1 {
			return "1 (no trial column)"
		}
		return fmt.Sprintf("1 (no trial column), in %d contiguous pieces", len(ts))
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return fmt.Sprintf("%d: %s", len(ts), abbrev(names, 8))
}

func fnum(x *number, g int) string {
	if x == nil {
		return "-"
	}
	return formatFloat(float64(*x), g)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func pluralES(n int) string {
	if n == 1 {
		return ""
	}
	return "es"
}
