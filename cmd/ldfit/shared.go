package main

// Helpers every subcommand uses: the recording flags and loader, the bookkeeping of
// input files that -o must not overwrite, warnings, progress, tables and JSON.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/ldfit/ldfit/data"
)

// recordingFlags are the flags of every command that reads a recording or a spike table.
type recordingFlags struct {
	units, exclude string
	from, to, step float64
	nan            string
	populations    string

	bin       float64
	smooth    string
	transform string
}

// addRecordingFlags declares the recording flags on fs.
func addRecordingFlags(fs *flag.FlagSet) *recordingFlags {
	rf := &recordingFlags{}
	fs.StringVar(&rf.units, "units", "", "read only these units (comma-separated `NAMES`)")
	fs.StringVar(&rf.exclude, "exclude", "", "leave out these units (comma-separated `NAMES`)")
	fs.Float64Var(&rf.from, "from", 0, "start of the time window `T` (inclusive, in the file's time unit)")
	fs.Float64Var(&rf.to, "to", 0, "end of the time window `T` (exclusive); 0 means the end of the file")
	fs.Float64Var(&rf.step, "step", 0, "sampling step `DT`, for files with neither a t column nor dt metadata")
	fs.StringVar(&rf.nan, "nan", "error", "`POLICY` for NaN samples: error, drop (their time rows) or interpolate")
	fs.StringVar(&rf.populations, "populations", "", "`COLUMN` (long layout) or metadata key (wide) with each unit's population label")
	fs.Float64Var(&rf.bin, "bin", 0, "spike tables: bin width in `SECONDS` (required for spike tables)")
	fs.StringVar(&rf.smooth, "smooth", "", "spike tables: smoothing `KERNEL` of the binned counts, exp:TAU (causal) or gauss:SIGMA, in seconds")
	fs.StringVar(&rf.transform, "transform", "", "spike tables: `TRANSFORM` of the (smoothed) counts: sqrt, log1p or rate (spikes/s)")
	return rf
}

// check validates the flag values that can be judged without the file.
func (rf *recordingFlags) check() error {
	switch {
	case rf.from < 0 || isBad(rf.from):
		return usagef("--from must be a finite time ≥ 0, got %v", rf.from)
	case isBad(rf.to) || rf.to < 0:
		return usagef("--to must be a finite time ≥ 0, got %v", rf.to)
	case rf.to != 0 && rf.to <= rf.from:
		return usagef("--to (%v) must be after --from (%v)", rf.to, rf.from)
	case rf.step < 0 || isBad(rf.step):
		return usagef("--step must be a positive time, got %v", rf.step)
	case rf.bin < 0 || isBad(rf.bin):
		return usagef("--bin must be a positive width in seconds, got %v", rf.bin)
	}
	if _, err := data.ParseNaNPolicy(rf.nan); err != nil {
		return usagef("--nan must be error, drop or interpolate, got %q", rf.nan)
	}
	switch rf.transform {
	case "", "sqrt", "log1p", "rate":
	default:
		return usagef("--transform must be sqrt, log1p or rate, got %q", rf.transform)
	}
	if rf.smooth != "" {
		kind, width, ok := strings.Cut(rf.smooth, ":")
		w, err := strconv.ParseFloat(width, 64)
		if !ok || (kind != "exp" && kind != "gauss") || err != nil || !(w > 0) || isBad(w) {
			return usagef("--smooth must be exp:TAU or gauss:SIGMA with a positive width in seconds, e.g. exp:0.05; got %q", rf.smooth)
		}
	}
	return nil
}

// selects reports whether any flag that selects or transforms the data was given.
func (rf *recordingFlags) selects() bool {
	return rf.binning() || rf.units != "" || rf.exclude != "" || rf.from != 0 || rf.to != 0 ||
		rf.step != 0 || rf.populations != "" || rf.nan != "error"
}

// binning reports whether any spike-binning flag was given.
func (rf *recordingFlags) binning() bool {
	return rf.bin != 0 || rf.smooth != "" || rf.transform != ""
}

// readOptions returns the options for data.ReadRecording and data.Scan.
func (rf *recordingFlags) readOptions() data.ReadOptions {
	nan, _ := data.ParseNaNPolicy(rf.nan) // validated by check
	return data.ReadOptions{
		Units:      splitList(rf.units),
		Exclude:    splitList(rf.exclude),
		From:       rf.from,
		To:         rf.to,
		Step:       rf.step,
		NaN:        nan,
		Population: rf.populations,
	}
}

// binOptions returns the options for binning the spike table s. Without --to the
// window runs to the bin that holds the last spike (data.BinOptions' open end); a
// --from past the last spike is a usage error, named by its flag.
func (rf *recordingFlags) binOptions(s *data.Spikes) (data.BinOptions, error) {
	o := data.BinOptions{Bin: rf.bin, From: rf.from, To: rf.to, Smooth: rf.smooth, Transform: rf.transform}
	if o.To == 0 && o.From != 0 && len(s.Time) > 0 {
		if last := slices.Max(s.Time); last < o.From {
			return o, usagef("--from %v is after the last spike (at %v s); choose an earlier start", o.From, last)
		}
	}
	return o, nil
}

// load reads the recording at path, binning it first when it is a spike table, and
// records path as an input that -o must not overwrite. Silent units dropped by the
// binning are reported as a warning.
func (rf *recordingFlags) load(e *env, path string) (*data.Recording, error) {
	if err := rf.check(); err != nil {
		return nil, err
	}
	if err := e.addInput(path); err != nil {
		return nil, err
	}
	spikes, err := data.IsSpikeTable(path)
	if err != nil {
		return nil, err
	}
	if !spikes {
		if rf.binning() {
			return nil, usagef("%s is a recording, not a spike table: --bin, --smooth and --transform apply only to spike tables; remove them", path)
		}
		return data.ReadRecording(path, rf.readOptions())
	}
	if rf.bin == 0 {
		return nil, usagef("%s is a spike table: add --bin WIDTH (in seconds, e.g. --bin 0.02) to bin it into a recording", path)
	}
	if rf.step != 0 {
		return nil, usagef("%s is a spike table: its sampling step is the bin width; use --bin instead of --step", path)
	}
	if rf.populations != "" {
		return nil, usagef("%s is a spike table: --populations applies to recordings; convert the spike table first and add the labels to the recording", path)
	}
	s, err := data.ReadSpikes(path)
	if err != nil {
		return nil, err
	}
	bo, err := rf.binOptions(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rec, dropped, err := s.Bin(bo)
	if err != nil {
		return nil, err
	}
	keep, drop := splitList(rf.units), splitList(rf.exclude)
	if silent := selected(dropped, keep, drop); len(silent) > 0 {
		e.warnf("%s: %d unit(s) never fire in the window and were dropped: %s", path, len(silent), abbrev(silent, 10))
	}
	rec, err = selectUnits(rec, keep, drop, dropped)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rec, nil
}

// selected returns the names in units that --units (keep, all when empty) and
// --exclude (drop) select.
func selected(units, keep, drop []string) []string {
	var out []string
	for _, u := range units {
		if (len(keep) == 0 || slices.Contains(keep, u)) && !slices.Contains(drop, u) {
			out = append(out, u)
		}
	}
	return out
}

// selectUnits keeps the units named in keep (all when keep is empty, in the order of
// keep otherwise) minus those in drop. Names in keep or drop that are not in rec are
// an error unless they are in silent (units already dropped for never firing).
func selectUnits(rec *data.Recording, keep, drop, silent []string) (*data.Recording, error) {
	if len(keep) == 0 && len(drop) == 0 {
		return rec, nil
	}
	index := make(map[string]int, len(rec.Units))
	for i, u := range rec.Units {
		index[u] = i
	}
	isSilent := make(map[string]bool, len(silent))
	for _, u := range silent {
		isSilent[u] = true
	}
	check := func(flagName string, names []string) error {
		for _, u := range names {
			if _, ok := index[u]; !ok && !isSilent[u] {
				return usagef("--%s names unit %q, which is not in the file (units: %s)", flagName, u, abbrev(rec.Units, 8))
			}
		}
		return nil
	}
	if err := check("units", keep); err != nil {
		return nil, err
	}
	if err := check("exclude", drop); err != nil {
		return nil, err
	}
	if len(keep) == 0 {
		keep = rec.Units
	}
	excluded := make(map[string]bool, len(drop))
	for _, u := range drop {
		excluded[u] = true
	}
	var idx []int
	for _, u := range keep {
		if i, ok := index[u]; ok && !excluded[u] {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return nil, usagef("--units and --exclude leave no unit to work on")
	}
	out := *rec
	out.Units = make([]string, len(idx))
	if rec.Populations != nil {
		out.Populations = make([]string, len(idx))
	}
	out.Trials = make([]data.Trial, len(rec.Trials))
	for k, i := range idx {
		out.Units[k] = rec.Units[i]
		if rec.Populations != nil {
			out.Populations[k] = rec.Populations[i]
		}
	}
	for t, tr := range rec.Trials {
		nt := tr
		nt.Data = make([]float64, 0, len(idx)*tr.Len)
		for _, i := range idx {
			nt.Data = append(nt.Data, tr.Unit(i)...)
		}
		out.Trials[t] = nt
	}
	return &out, nil
}

// addInput records path as an input of the command. It fails at once when -o names
// the same file, so that a long computation is not wasted on a refused write.
func (e *env) addInput(path string) error {
	e.inputs = append(e.inputs, path)
	if e.Out != "" && sameFile(e.Out, path) {
		return usagef("-o %s would overwrite the input file %s; choose another output file", e.Out, path)
	}
	return nil
}

// sameFile reports whether a and b name the same file (the same path, or the same
// file through a link).
func sameFile(a, b string) bool {
	if aa, err := filepath.Abs(a); err == nil {
		if bb, err := filepath.Abs(b); err == nil && aa == bb {
			return true
		}
	}
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// writeOptions returns the options for writing the -o file: the inputs it must not
// overwrite and metadata recording the command line, plus meta.
func (e *env) writeOptions(meta map[string]string) data.WriteOptions {
	m := map[string]string{"ldfit.command": strings.Join(append([]string{"ldfit"}, e.args...), " ")}
	for k, v := range meta {
		m[k] = v
	}
	return data.WriteOptions{Meta: m, Inputs: append([]string(nil), e.inputs...)}
}

// interrupted returns an error when the command has been interrupted (Ctrl-C or
// SIGTERM), nil otherwise. Long loops call it and stop, removing partial output.
func (e *env) interrupted() error {
	if e.ctx != nil && e.ctx.Err() != nil {
		return errors.New("interrupted; no output written")
	}
	return nil
}

// warnf prints a warning on stderr unless -q was given.
func (e *env) warnf(format string, a ...any) {
	if e.Quiet {
		return
	}
	fmt.Fprintf(e.stderr, "ldfit %s: warning: %s\n", e.name, fmt.Sprintf(format, a...))
}

// progress reports the advance of long work on stderr. It prints only when stderr is
// a terminal and -q is not given; otherwise Add and Done cost one atomic add. Add may
// be called from several goroutines.
type progress struct {
	label string
	total int
	w     io.Writer // nil: silent
	done  atomic.Int64
	start time.Time

	mu    sync.Mutex
	last  time.Time
	shown bool
}

// progress returns a reporter for total units of work (0 when unknown).
func (e *env) progress(label string, total int) *progress {
	p := &progress{label: label, total: total, start: time.Now()}
	if !e.Quiet && isTerminal(e.stderr) {
		p.w = e.stderr
	}
	return p
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressDelay is how long work runs before its progress is shown: quick commands
// leave no progress line behind.
const progressDelay = 500 * time.Millisecond

// Add records n more units of work done.
func (p *progress) Add(n int) {
	d := p.done.Add(int64(n))
	if p.w == nil {
		return
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.start) < progressDelay || now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	p.print(d, false)
}

// Done ends the report with a final line, if progress was shown at all.
func (p *progress) Done() {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		p.print(p.done.Load(), true)
	}
}

func (p *progress) print(d int64, final bool) {
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	end := ""
	if final {
		end = "\n"
	}
	if p.total > 0 {
		fmt.Fprintf(p.w, "\r%s: %d/%d (%.0f%%) %v%s", p.label, d, p.total, 100*float64(d)/float64(p.total), elapsed, end)
		return
	}
	fmt.Fprintf(p.w, "\r%s: %d %v%s", p.label, d, elapsed, end)
}

// printTable writes rows under header with aligned columns: cells that read as numbers
// are right-aligned, others left-aligned.
func printTable(w io.Writer, header []string, rows [][]string) {
	all := append([][]string{header}, rows...)
	ncol := 0
	for _, r := range all {
		ncol = max(ncol, len(r))
	}
	width := make([]int, ncol)
	right := make([]bool, ncol)
	for j := range right {
		right[j] = len(rows) > 0
	}
	for i, r := range all {
		for j, c := range r {
			width[j] = max(width[j], utf8.RuneCountInString(c))
			if i > 0 && !isNumber(c) {
				right[j] = false
			}
		}
	}
	var b strings.Builder
	for _, r := range all {
		b.Reset()
		for j, c := range r {
			pad := strings.Repeat(" ", width[j]-utf8.RuneCountInString(c))
			if j > 0 {
				b.WriteString("  ")
			}
			switch {
			case right[j]:
				b.WriteString(pad + c)
			case j < len(r)-1:
				b.WriteString(c + pad)
			default:
				b.WriteString(c) // no trailing blanks
			}
		}
		fmt.Fprintln(w, b.String())
	}
}

// isNumber reports whether a table cell holds a number (including NaN, ±Inf and "-"
// for a missing value).
func isNumber(s string) bool {
	if s == "-" || s == "" {
		return true
	}
	_, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	return err == nil
}

// writeJSON writes v as indented JSON followed by a newline. Map keys come out sorted,
// so the output is stable.
func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding JSON output: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// number is a float64 that encodes NaN and ±Inf as JSON null instead of failing.
type number float64

func (x number) MarshalJSON() ([]byte, error) {
	if isBad(float64(x)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(x))
}

// formatFloat formats x with g significant digits for a table; NaN prints as "-".
func formatFloat(x float64, g int) string {
	if math.IsNaN(x) {
		return "-"
	}
	return strconv.FormatFloat(x, 'g', g, 64)
}

func isBad(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }

// splitList splits a comma-separated flag value, trimming spaces and dropping empty
// items.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// abbrev joins names with ", ", listing at most n of them.
func abbrev(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s, … (%d more)", strings.Join(names[:n], ", "), len(names)-n)
}

// wantArgs checks that args holds exactly the positional arguments named.
func wantArgs(args []string, names ...string) error {
	var msg string
	switch {
	case len(args) == len(names):
		return nil
	case len(names) == 0:
		msg = fmt.Sprintf("takes no arguments, got %q", args[0])
	case len(args) < len(names):
		msg = "missing " + strings.Join(names[len(args):], " ")
	default:
		msg = fmt.Sprintf("unexpected argument %q after %s", args[len(names)], strings.Join(names, " "))
	}
	return usageError{msg: msg, withUsage: true}
}
