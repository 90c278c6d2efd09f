package data

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// WriteOptions controls the writers.
type WriteOptions struct {
	Long bool // recordings: write the long layout (unit, t, value [, trial]) instead of wide
	// Compression is "zstd" (the default for Parquet), "snappy" or "none" (the default
	// for Arrow IPC, which supports zstd but not snappy).
	Compression string
	Meta        map[string]string // extra key-value metadata
	// Inputs are the files the output was computed from; writing over any of them is
	// refused (paths are compared cleaned and absolute, and with os.SameFile).
	Inputs []string

	mem memory.Allocator
}

// RowGroupValues is the number of values (samples × units) after which the recording
// writers flush a Parquet row group or an Arrow record batch: 2²² float64 values, 32 MiB.
// It bounds the memory of writing and of Scan.
const RowGroupValues = 1 << 22

// formatOf chooses the output format from the file name extension.
func formatOf(path string) (format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet", ".pq":
		return formatParquet, nil
	case ".arrow", ".feather", ".ipc":
		return formatArrowFile, nil
	case ".arrows":
		return formatArrowStream, nil
	}
	return 0, fmt.Errorf("%s: unknown output extension %q; use .parquet, .arrow, .feather or .arrows", path, filepath.Ext(path))
}

// checkInputs refuses to write over one of the inputs.
func checkInputs(path string, inputs []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	st, statErr := os.Stat(path)
	for _, in := range inputs {
		a, err := filepath.Abs(in)
		if err == nil && filepath.Clean(a) == filepath.Clean(abs) {
			return fmt.Errorf("%s: refusing to overwrite the input file %s; choose another output name", path, in)
		}
		if statErr == nil {
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return fmt.Errorf("%s: refusing to overwrite the input file %s (same file); choose another output name", path, in)
			}
		}
	}
	return nil
}

// atomicFile is a temporary file in the target's folder, renamed into place on commit.
type atomicFile struct {
	*os.File
	target string
}

func createAtomic(path string, inputs []string) (*atomicFile, error) {
	if err := checkInputs(path, inputs); err != nil {
		return nil, err
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, fmt.Errorf("%s: is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot create the output: %v", path, err)
	}
	return &atomicFile{File: f, target: path}, nil
}

func (a *atomicFile) commit() error {
	if err := a.Sync(); err != nil {
		a.abort()
		return fmt.Errorf("%s: %v", a.target, err)
	}
	if err := a.Close(); err != nil {
		os.Remove(a.Name())
		return fmt.Errorf("%s: %v", a.target, err)
	}
	if err := os.Chmod(a.Name(), 0o644); err != nil {
		os.Remove(a.Name())
		return fmt.Errorf("%s: %v", a.target, err)
	}
	if err := os.Rename(a.Name(), a.target); err != nil {
		os.Remove(a.Name())
		return fmt.Errorf("%s: %v", a.target, err)
	}
	return nil
}

func (a *atomicFile) abort() {
	a.Close()
	os.Remove(a.Name())
}

// recordWriter writes Arrow records to Parquet or Arrow IPC.
type recordWriter struct {
	pq  *pqarrow.FileWriter
	ipc *ipc.FileWriter
	st  *ipc.Writer
}

func newRecordWriter(path string, w io.WriteSeeker, sc *arrow.Schema, opt *WriteOptions) (*recordWriter, error) {
	fm, err := formatOf(path)
	if err != nil {
		return nil, err
	}
	// The Parquet writer closes a sink that is an io.Closer; the atomic file must stay
	// open until it is synced and renamed.
	w = struct{ io.WriteSeeker }{w}
	mem := opt.mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	comp := strings.ToLower(opt.Compression)
	switch fm {
	case formatParquet:
		var codec compress.Compression
		switch comp {
		case "", "zstd":
			codec = compress.Codecs.Zstd
		case "snappy":
			codec = compress.Codecs.Snappy
		case "none", "uncompressed":
			codec = compress.Codecs.Uncompressed
		default:
			return nil, fmt.Errorf("%s: unknown compression %q; use zstd, snappy or none", path, opt.Compression)
		}
		// Plain encoding without dictionaries for numbers: float samples rarely repeat,
		// and plain pages decode at memory speed. Strings (unit names, labels) repeat and
		// keep their dictionary.
		props := []parquet.WriterProperty{
			parquet.WithCompression(codec),
			parquet.WithDictionaryDefault(false),
			parquet.WithAllocator(mem),
			parquet.WithMaxRowGroupLength(1 << 30),
			parquet.WithDataPageSize(1 << 20),
			parquet.WithCreatedBy("ldfit " + Version()),
			// No column statistics: min/max of float samples serve no reader of recordings,
			// and they make the footer, which every reader holds, grow with the file.
			parquet.WithStats(false),
		}
		for _, f := range sc.Fields() {
			if f.Type.ID() == arrow.STRING {
				props = append(props, parquet.WithDictionaryFor(f.Name, true))
			}
		}
		fw, err := pqarrow.NewFileWriter(sc, w, parquet.NewWriterProperties(props...),
			pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem)))
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return &recordWriter{pq: fw}, nil
	default:
		opts := []ipc.Option{ipc.WithSchema(sc), ipc.WithAllocator(mem)}
		switch comp {
		case "", "none", "uncompressed":
		case "zstd":
			opts = append(opts, ipc.WithZstd())
		case "lz4":
			opts = append(opts, ipc.WithLZ4())
		default:
			return nil, fmt.Errorf("%s: compression %q is not available for Arrow IPC; use none, zstd or lz4", path, opt.Compression)
		}
		if fm == formatArrowStream {
			return &recordWriter{st: ipc.NewWriter(w, opts...)}, nil
		}
		fw, err := ipc.NewFileWriter(w, opts...)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		return &recordWriter{ipc: fw}, nil
	}
}

func (r *recordWriter) write(rec arrow.Record) error {
	switch {
	case r.pq != nil:
		// One call per record, so each record becomes one row group.
		return r.pq.Write(rec)
	case r.ipc != nil:
		return r.ipc.Write(rec)
	}
	return r.st.Write(rec)
}

func (r *recordWriter) close() error {
	switch {
	case r.pq != nil:
		return r.pq.Close()
	case r.ipc != nil:
		return r.ipc.Close()
	}
	return r.st.Close()
}

// metadata builds the key-value metadata of a written file: ldfit's keys, then extra.
func metadata(base map[string]string, extra ...map[string]string) arrow.Metadata {
	m := map[string]string{}
	for _, e := range extra {
		for k, v := range e {
			m[k] = v
		}
	}
	for k, v := range base {
		m[k] = v
	}
	m[metaVersion] = Version()
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "ARROW:schema" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return arrow.NewMetadata(keys, vals)
}

func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// RecordingWriter writes a recording block by block, so that a long simulation never
// holds the whole recording: it keeps at most RowGroupValues samples (32 MiB) buffered
// and writes a row group (Parquet) or record batch (Arrow) whenever that many have
// arrived. Close flushes and renames the temporary file into place; Abort removes it.
type RecordingWriter struct {
	path  string
	units []string
	step  float64
	long  bool
	trial string // trial name written in the trial column, when hasTrial
	hasTr bool
	pops  []string // population per unit, written in the long layout

	af   *atomicFile
	rw   *recordWriter
	sc   *arrow.Schema
	mem  memory.Allocator
	rows int       // rows per flush
	buf  []float64 // unit-major, capacity rows per unit
	n    int       // samples buffered
	t0   float64   // time of the first buffered sample
	done bool
}

// CreateRecording starts writing a single-trial recording of the given units, sampled
// every step from start, to path (.parquet, .arrow, .feather or .arrows).
func CreateRecording(path string, units []string, step, start float64, opt WriteOptions) (*RecordingWriter, error) {
	return createRecording(path, &Recording{Units: units, Step: step, TimeUnit: "s"}, false, start, opt)
}

func createRecording(path string, r *Recording, hasTrial bool, start float64, opt WriteOptions) (*RecordingWriter, error) {
	if _, err := formatOf(path); err != nil {
		return nil, err
	}
	if len(r.Units) == 0 {
		return nil, fmt.Errorf("%s: a recording needs at least one unit", path)
	}
	if !(r.Step > 0) || math.IsInf(r.Step, 0) {
		return nil, fmt.Errorf("%s: sampling step %v must be positive and finite", path, r.Step)
	}
	seen := map[string]bool{}
	for _, u := range r.Units {
		if seen[u] {
			return nil, fmt.Errorf("%s: duplicate unit name %q", path, u)
		}
		if !opt.Long && (u == "t" || u == "trial") {
			return nil, fmt.Errorf("%s: unit name %q clashes with the %s column of the wide layout; rename the unit or write the long layout", path, u, u)
		}
		seen[u] = true
	}
	if r.Populations != nil && len(r.Populations) != len(r.Units) {
		return nil, fmt.Errorf("%s: %d population labels for %d units", path, len(r.Populations), len(r.Units))
	}
	unitsJSON, _ := json.Marshal(r.Units)
	base := map[string]string{
		metaUnits:    string(unitsJSON),
		metaStep:     formatFloat(r.Step),
		metaStart:    formatFloat(start),
		metaTimeUnit: r.TimeUnit,
		metaLayout:   "wide",
	}
	if base[metaTimeUnit] == "" {
		base[metaTimeUnit] = "s"
	}
	if opt.Long {
		base[metaLayout] = "long"
	}
	if r.Populations != nil {
		pm := map[string]string{}
		for i, u := range r.Units {
			pm[u] = r.Populations[i]
		}
		b, _ := json.Marshal(pm)
		base[metaPopulations] = string(b)
	}
	var fields []arrow.Field
	if opt.Long {
		if hasTrial {
			fields = append(fields, arrow.Field{Name: "trial", Type: arrow.BinaryTypes.String})
		}
		fields = append(fields,
			arrow.Field{Name: "unit", Type: arrow.BinaryTypes.String},
			arrow.Field{Name: "t", Type: arrow.PrimitiveTypes.Float64},
			arrow.Field{Name: "value", Type: arrow.PrimitiveTypes.Float64})
		if r.Populations != nil {
			fields = append(fields, arrow.Field{Name: "population", Type: arrow.BinaryTypes.String})
		}
	} else {
		if hasTrial {
			fields = append(fields, arrow.Field{Name: "trial", Type: arrow.BinaryTypes.String})
		}
		fields = append(fields, arrow.Field{Name: "t", Type: arrow.PrimitiveTypes.Float64})
		for _, u := range r.Units {
			fields = append(fields, arrow.Field{Name: u, Type: arrow.PrimitiveTypes.Float64})
		}
	}
	// Keys describing the recording come from r itself, never from the metadata of the
	// file it was read from (a stale "populations" would not match r.Units).
	inherited := map[string]string{}
	for k, v := range r.Meta {
		switch k {
		case metaUnits, metaPopulations, metaStep, metaStart, metaTimeUnit, metaLayout, metaVersion:
		default:
			inherited[k] = v
		}
	}
	md := metadata(base, inherited, opt.Meta)
	sc := arrow.NewSchema(fields, &md)
	af, err := createAtomic(path, opt.Inputs)
	if err != nil {
		return nil, err
	}
	rw, err := newRecordWriter(path, af, sc, &opt)
	if err != nil {
		af.abort()
		return nil, err
	}
	mem := opt.mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	rows := max(1, RowGroupValues/len(r.Units))
	return &RecordingWriter{
		path: path, units: r.Units, step: r.Step, long: opt.Long, hasTr: hasTrial, pops: r.Populations,
		af: af, rw: rw, sc: sc, mem: mem, rows: rows, t0: start, buf: make([]float64, rows*len(r.Units)),
	}, nil
}

// Write appends n samples of every unit; block is unit-major: unit i is
// block[i*n:(i+1)*n].
func (w *RecordingWriter) Write(block []float64, n int) error {
	if w.done {
		return fmt.Errorf("%s: write after Close or Abort", w.path)
	}
	if n < 0 || len(block) != n*len(w.units) {
		return fmt.Errorf("%s: block of %d values is not %d samples × %d units", w.path, len(block), n, len(w.units))
	}
	nu := len(w.units)
	for off := 0; off < n; {
		m := min(n-off, w.rows-w.n)
		for i := 0; i < nu; i++ {
			copy(w.buf[i*w.rows+w.n:i*w.rows+w.n+m], block[i*n+off:i*n+off+m])
		}
		w.n += m
		off += m
		if w.n == w.rows {
			if err := w.flush(); err != nil {
				w.Abort()
				return err
			}
		}
	}
	return nil
}

// flush writes the buffered samples as one row group or record batch.
func (w *RecordingWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	n, nu := w.n, len(w.units)
	b := array.NewRecordBuilder(w.mem, w.sc)
	defer b.Release()
	f := 0
	if w.hasTr {
		sb := b.Field(0).(*array.StringBuilder)
		rows := n
		if w.long {
			rows *= nu
		}
		for i := 0; i < rows; i++ {
			sb.Append(w.trial)
		}
		f = 1
	}
	if w.long {
		ub := b.Field(f).(*array.StringBuilder)
		tb := b.Field(f + 1).(*array.Float64Builder)
		vb := b.Field(f + 2).(*array.Float64Builder)
		ub.Reserve(n * nu)
		tb.Reserve(n * nu)
		for i, u := range w.units {
			for k := 0; k < n; k++ {
				ub.Append(u)
				tb.UnsafeAppend(w.t0 + float64(k)*w.step)
			}
			vb.AppendValues(w.buf[i*w.rows:i*w.rows+n], nil)
		}
		if len(w.sc.Fields()) > f+3 {
			pb := b.Field(f + 3).(*array.StringBuilder)
			for i := range w.units {
				for k := 0; k < n; k++ {
					pb.Append(w.pops[i])
				}
			}
		}
	} else {
		tb := b.Field(f).(*array.Float64Builder)
		tb.Reserve(n)
		for k := 0; k < n; k++ {
			tb.UnsafeAppend(w.t0 + float64(k)*w.step)
		}
		for i := range w.units {
			b.Field(f+1+i).(*array.Float64Builder).AppendValues(w.buf[i*w.rows:i*w.rows+n], nil)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	if err := w.rw.write(rec); err != nil {
		return fmt.Errorf("%s: %v", w.path, err)
	}
	w.t0 += float64(n) * w.step
	w.n = 0
	return nil
}

// startTrial flushes and begins a new trial (wide or long layout with a trial column).
func (w *RecordingWriter) startTrial(name string, start float64) error {
	if err := w.flush(); err != nil {
		return err
	}
	w.trial, w.t0 = name, start
	return nil
}

// Close flushes the buffered samples, finishes the file and renames it into place.
func (w *RecordingWriter) Close() error {
	if w.done {
		return nil
	}
	if err := w.flush(); err != nil {
		w.Abort()
		return err
	}
	w.done = true
	if err := w.rw.close(); err != nil {
		w.af.abort()
		return fmt.Errorf("%s: %v", w.path, err)
	}
	return w.af.commit()
}

// Abort stops writing and removes the temporary file; an existing file at the target
// path is left as it was.
func (w *RecordingWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.rw.close()
	w.af.abort()
	return nil
}

// WriteRecording writes r to path in the format given by the extension (.parquet,
// .arrow, .feather, .arrows), wide unless opt.Long. Metadata: unit names, populations,
// step ("dt"), start of the first trial, time unit, ldfit version, r.Meta and opt.Meta.
// A trial column is written when r has several trials or a named one.
func WriteRecording(path string, r *Recording, opt WriteOptions) error {
	if len(r.Trials) == 0 {
		return fmt.Errorf("%s: recording has no trials to write", path)
	}
	for i, tr := range r.Trials {
		if tr.Len < 0 || len(tr.Data) != tr.Len*len(r.Units) {
			return fmt.Errorf("%s: trial %d holds %d values, not %d samples × %d units", path, i, len(tr.Data), tr.Len, len(r.Units))
		}
	}
	hasTrial := len(r.Trials) > 1 || r.Trials[0].Name != ""
	w, err := createRecording(path, r, hasTrial, r.Trials[0].Start, opt)
	if err != nil {
		return err
	}
	for _, tr := range r.Trials {
		if err := w.startTrial(tr.Name, tr.Start); err != nil {
			w.Abort()
			return err
		}
		if err := w.Write(tr.Data, tr.Len); err != nil {
			return err
		}
	}
	return w.Close()
}
