package main

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/data"
)

func init() {
	var (
		rf          *recordingFlags
		long        bool
		compression string
	)
	register(&command{
		name:    "convert",
		usage:   "IN OUT",
		summary: "convert recordings between layouts and formats; bin spike tables into recordings",
		help: `convert reads IN (a recording in the wide or long layout, or a spike table) and
writes it to OUT as a recording. A file that is not a recording (a labelled set, a
result table) is copied as a table. The output format follows OUT's extension: .parquet
(Parquet, zstd unless --compression says otherwise), .arrow or .feather (Arrow IPC file)
or .arrows (Arrow IPC stream). The wide layout is written unless --long is given.
A spike table must be binned: give --bin (seconds), and optionally --smooth and
--transform. OUT may also be given with -o; it must not be IN.`,
		flags: func(fs *flag.FlagSet) {
			rf = addRecordingFlags(fs)
			fs.BoolVar(&long, "long", false, "write the long layout (unit, t, value) instead of the wide one")
			fs.StringVar(&compression, "compression", "", "Parquet compression `CODEC`: zstd (default), snappy or none")
		},
		run: func(e *env, args []string) error {
			return runConvert(e, args, rf, long, compression)
		},
	})
}

func runConvert(e *env, args []string, rf *recordingFlags, long bool, compression string) error {
	if len(args) == 1 && e.Out != "" {
		args = append(args, e.Out)
	} else if len(args) == 2 && e.Out != "" && e.Out != args[1] {
		return usagef("give the output file once, as OUT or with -o, not both (%s and %s)", args[1], e.Out)
	}
	if err := wantArgs(args, "IN", "OUT"); err != nil {
		return err
	}
	in, out := args[0], args[1]
	switch compression {
	case "", "zstd", "snappy", "none":
	default:
		return usagef("--compression must be zstd, snappy or none, got %q", compression)
	}
	if !knownExt(out) {
		return usagef("cannot tell the output format from %q: use .parquet, .arrow, .feather or .arrows", out)
	}
	e.Out = out
	if err := e.addInput(in); err != nil {
		return err
	}
	opt := e.writeOptions(convertMeta(in, rf))
	opt.Long = long
	opt.Compression = compression
	if r, ok, err := streamConvert(e, in, out, rf, opt); err != nil || ok {
		if err != nil {
			return err
		}
		return reportConvert(e, r)
	}
	rec, err := rf.load(e, in)
	var ue usageError
	if err != nil && !errors.As(err, &ue) && !long && !rf.selects() {
		// Not a recording: a labelled set or a result table is copied as a table.
		if ff, perr := peek(in); perr == nil && (ff.labelled() || !ff.has("t") && ff.layout() == "wide") {
			if t, terr := data.ReadTable(in); terr == nil {
				return convertTable(e, in, out, t, compression)
			}
		}
	}
	if err != nil {
		return err
	}
	if err := data.WriteRecording(out, rec, opt); err != nil {
		return err
	}
	r := convertResult{File: out, Layout: "wide", Units: rec.N(), Samples: rec.Samples(),
		Trials: len(rec.Trials), Step: number(rec.Step), TimeUnit: rec.TimeUnit}
	if long {
		r.Layout = "long"
	}
	return reportConvert(e, r)
}

// convertMeta is the metadata convert adds to its output: the source and the binning.
func convertMeta(in string, rf *recordingFlags) map[string]string {
	meta := map[string]string{"ldfit.source": filepath.Base(in)}
	if rf.bin > 0 {
		meta["ldfit.bin"] = strconv.FormatFloat(rf.bin, 'g', -1, 64)
		if rf.smooth != "" {
			meta["ldfit.smooth"] = rf.smooth
		}
		if rf.transform != "" {
			meta["ldfit.transform"] = rf.transform
		}
	}
	return meta
}

// streamConvert copies a single-trial recording block by block, holding one row group
// at a time, so that recordings larger than memory convert. It reports false, having
// written nothing, for what needs the whole recording in memory: spike tables, NaN
// policies other than error, several trials, population labels, time units other than
// seconds; and on any read error, which the whole-file path then reports. An interrupt
// removes the partial output and is returned as an error.
func streamConvert(e *env, in, out string, rf *recordingFlags, opt data.WriteOptions) (convertResult, bool, error) {
	var r convertResult
	if rf.binning() || rf.nan != "error" {
		return r, false, nil
	}
	s, err := data.Scan(in, rf.readOptions())
	if err != nil {
		return r, false, nil
	}
	defer s.Close()
	src := s.Meta()
	if s.Populations() != nil || src["time_unit"] != "" && src["time_unit"] != "s" || !s.Next() {
		return r, false, nil
	}
	b := s.Block()
	if s.Trials()[b.Trial] != "" {
		return r, false, nil
	}
	meta := make(map[string]string, len(src)+len(opt.Meta))
	for _, m := range []map[string]string{src, opt.Meta} {
		for k, v := range m {
			meta[k] = v
		}
	}
	opt.Meta = meta
	w, err := data.CreateRecording(out, s.Units(), s.Step(), b.Start, opt)
	if err != nil {
		return r, false, nil
	}
	p := e.progress("convert "+filepath.Base(in), 0)
	defer p.Done()
	n := 0
	for ok := true; ok; ok = s.Next() {
		if err := e.interrupted(); err != nil {
			w.Abort()
			return r, false, err
		}
		b = s.Block()
		if b.Trial != 0 {
			w.Abort()
			return r, false, nil
		}
		if err := w.Write(b.Data, b.Len); err != nil {
			w.Abort()
			return r, false, nil
		}
		n += b.Len
		p.Add(b.Len)
	}
	if s.Err() != nil || w.Close() != nil {
		w.Abort()
		return r, false, nil
	}
	r = convertResult{File: out, Layout: "wide", Units: len(s.Units()), Samples: n, Trials: 1,
		Step: number(s.Step()), TimeUnit: "s"}
	if ff, err := peek(in); err == nil && ff.layout() == "wide" {
		r.Streamed = true // Scan reads a long file whole
	}
	if opt.Long {
		r.Layout = "long"
	}
	return r, true, nil
}

// convertTable writes table t, read from in, to out.
func convertTable(e *env, in, out string, t *data.Table, compression string) error {
	meta := map[string]string{"ldfit.source": filepath.Base(in)}
	for k, v := range t.Meta {
		if _, ok := meta[k]; !ok && k != "ldfit.command" {
			meta[k] = v
		}
	}
	opt := e.writeOptions(meta)
	opt.Compression = compression
	if err := data.WriteTable(out, t, opt); err != nil {
		return err
	}
	r := convertResult{File: out, Layout: "table", Rows: t.Rows(), Columns: len(t.Columns)}
	if e.JSON {
		return writeJSON(e.stdout, r)
	}
	_, err := fmt.Fprintf(e.stdout, "wrote %s: table of %d rows × %d columns\n", out, r.Rows, r.Columns)
	return err
}

// knownExt reports whether path ends in an extension the writers know.
func knownExt(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".arrow", ".feather", ".arrows":
		return true
	}
	return false
}

// convertResult is what convert reports on stdout.
type convertResult struct {
	File     string `json:"file"`
	Layout   string `json:"layout"` // wide, long or table
	Units    int    `json:"units,omitempty"`
	Samples  int    `json:"samples,omitempty"`
	Trials   int    `json:"trials,omitempty"`
	Step     number `json:"step,omitempty"`
	TimeUnit string `json:"time_unit,omitempty"`
	Rows     int    `json:"rows,omitempty"`    // tables
	Columns  int    `json:"columns,omitempty"` // tables
	Streamed bool   `json:"streamed"`          // copied block by block, in bounded memory
}

func reportConvert(e *env, r convertResult) error {
	if e.JSON {
		return writeJSON(e.stdout, r)
	}
	trials := ""
	if r.Trials > 1 {
		trials = fmt.Sprintf(" in %d trials", r.Trials)
	}
	_, err := fmt.Fprintf(e.stdout, "wrote %s: %s layout, %d units × %d samples%s, step %s %s\n",
		r.File, r.Layout, r.Units, r.Samples, trials, formatFloat(float64(r.Step), 6), r.TimeUnit)
	return err
}
