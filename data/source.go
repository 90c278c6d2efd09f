package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/apache/arrow/go/v17/parquet/schema"
)

// format is a file format ldfit reads and writes.
type format int

const (
	formatParquet     format = iota + 1
	formatArrowFile          // Arrow IPC file (.arrow, .feather)
	formatArrowStream        // Arrow IPC stream (.arrows)
)

func (f format) String() string {
	switch f {
	case formatParquet:
		return "Parquet"
	case formatArrowFile:
		return "Arrow IPC file"
	case formatArrowStream:
		return "Arrow IPC stream"
	}
	return "unknown format"
}

// sniff detects the format of a file from its first bytes, so that a misnamed file is
// still read and a file of another kind gets an error saying what it is not.
func sniff(path string, f *os.File) (format, error) {
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if _, serr := f.Seek(0, io.SeekStart); serr != nil {
		return 0, fmt.Errorf("%s: %v", path, serr)
	}
	head = head[:n]
	switch {
	case n == 0 && (err == io.EOF || err == io.ErrUnexpectedEOF):
		return 0, fmt.Errorf("%s: empty file (0 bytes); expected Parquet or Arrow IPC", path)
	case err != nil && err != io.ErrUnexpectedEOF:
		return 0, fmt.Errorf("%s: %v", path, err)
	case bytes.HasPrefix(head, []byte("PAR1")):
		return formatParquet, nil
	case bytes.HasPrefix(head, []byte("ARROW1")):
		return formatArrowFile, nil
	case n >= 4 && bytes.Equal(head[:4], []byte{0xff, 0xff, 0xff, 0xff}):
		return formatArrowStream, nil
	}
	return 0, fmt.Errorf("%s: not a Parquet or Arrow IPC file (it starts with %q); convert it to Parquet, e.g. with pandas DataFrame.to_parquet", path, printable(head))
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 32 || r > 126 {
			return '.'
		}
		return r
	}, string(b))
}

// source is an open Parquet or Arrow IPC file read one piece at a time: one row group
// of a Parquet file, one record batch of an Arrow file or stream.
type source struct {
	path   string
	format format
	schema *arrow.Schema
	meta   map[string]string
	mem    memory.Allocator

	f      *os.File
	pq     *pqarrow.FileReader
	pqFile *file.Reader
	ipcF   *ipc.FileReader
	ipcS   *ipc.Reader
	next   int // next row group or record batch (file formats)
	done   bool
}

// openSource opens path and reads its schema and key-value metadata.
func openSource(path string, mem memory.Allocator) (*source, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory, not a Parquet or Arrow IPC file", path)
	}
	fm, err := sniff(path, f)
	if err != nil {
		f.Close()
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	// Decoders allocate what a file's metadata claims; a corrupt claim must not exhaust
	// memory.
	mem = &limitAllocator{Allocator: mem, limit: maxExpansion*int(min(st.Size(), 1<<40)) + 1<<20}
	s := &source{path: path, format: fm, mem: mem, f: f}
	if err := guard(path, s.open); err != nil {
		f.Close()
		return nil, err
	}
	s.meta = map[string]string{}
	if md := s.schema.Metadata(); md.Len() > 0 {
		for i, k := range md.Keys() {
			if k == "ARROW:schema" {
				continue
			}
			s.meta[k] = md.Values()[i]
		}
	}
	if s.pqFile != nil {
		for _, kv := range s.pqFile.MetaData().KeyValueMetadata() {
			if kv.Key != "ARROW:schema" && kv.Value != nil {
				s.meta[kv.Key] = *kv.Value
			}
		}
	}
	return s, nil
}

func (s *source) open() (err error) {
	switch s.format {
	case formatParquet:
		pf, err := file.NewParquetReader(s.f, file.WithReadProps(parquet.NewReaderProperties(s.mem)))
		if err != nil {
			return fmt.Errorf("%s: corrupt or truncated Parquet file: %v", s.path, err)
		}
		s.pqFile = pf
		st, err := s.f.Stat()
		if err != nil {
			return fmt.Errorf("%s: %v", s.path, err)
		}
		if err := checkParquet(s.path, pf, st.Size()); err != nil {
			return err
		}
		if v := pf.MetaData().KeyValueMetadata().FindValue("ARROW:schema"); v != nil {
			if err := verifyArrowSchemaKey(*v); err != nil {
				return fmt.Errorf("%s: corrupt ARROW:schema metadata in the Parquet footer: %v", s.path, err)
			}
		}
		// Strings (unit names, labels, trials) are read as dictionaries: a long table
		// repeats a few names millions of times, and decoding them one string per row
		// would dominate the read.
		props := pqarrow.ArrowReadProperties{BatchSize: 1 << 16}
		sch := pf.MetaData().Schema
		for i := 0; i < sch.NumColumns(); i++ {
			c := sch.Column(i)
			if c.PhysicalType() == parquet.Types.ByteArray && c.MaxRepetitionLevel() == 0 && c.LogicalType().Equals(schema.StringLogicalType{}) {
				props.SetReadDict(i, true)
			}
		}
		fr, err := pqarrow.NewFileReader(pf, props, s.mem)
		if err != nil {
			return fmt.Errorf("%s: unreadable Parquet schema: %v", s.path, err)
		}
		s.pq = fr
		sc, err := fr.Schema()
		if err != nil {
			return fmt.Errorf("%s: unreadable Parquet schema: %v", s.path, err)
		}
		s.schema = sc
	case formatArrowFile:
		if err := verifyIPC(s.f, s.format); err != nil {
			return fmt.Errorf("%s: corrupt or truncated Arrow IPC file: %v", s.path, err)
		}
		r, err := ipc.NewFileReader(s.f, ipc.WithAllocator(s.mem), ipc.WithEnsureNativeEndian(true))
		if err != nil {
			return fmt.Errorf("%s: corrupt or truncated Arrow IPC file: %v", s.path, err)
		}
		s.ipcF = r
		s.schema = r.Schema()
	case formatArrowStream:
		if err := verifyIPC(s.f, s.format); err != nil {
			return fmt.Errorf("%s: corrupt or truncated Arrow IPC stream: %v", s.path, err)
		}
		r, err := ipc.NewReader(s.f, ipc.WithAllocator(s.mem), ipc.WithEnsureNativeEndian(true))
		if err != nil {
			return fmt.Errorf("%s: corrupt or truncated Arrow IPC stream: %v", s.path, err)
		}
		s.ipcS = r
		s.schema = r.Schema()
	}
	return nil
}

// checkParquet rejects footers whose row groups promise more data than the file holds,
// which a truncated or corrupt file otherwise turns into huge allocations.
func checkParquet(path string, pf *file.Reader, size int64) error {
	md := pf.MetaData()
	for i := 0; i < len(md.RowGroups); i++ {
		rg := md.RowGroup(i)
		if rg.NumRows() < 0 {
			return fmt.Errorf("%s: corrupt Parquet footer: row group %d has %d rows", path, i, rg.NumRows())
		}
		for j := 0; j < rg.NumColumns(); j++ {
			cc, err := rg.ColumnChunk(j)
			if err != nil {
				return fmt.Errorf("%s: corrupt Parquet footer: %v", path, err)
			}
			start := cc.DataPageOffset()
			if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
				start = cc.DictionaryPageOffset()
			}
			if start < 0 || cc.TotalCompressedSize() < 0 || start+cc.TotalCompressedSize() > size {
				return fmt.Errorf("%s: truncated or corrupt Parquet file: column %q of row group %d lies outside the file (%d bytes)", path, cc.PathInSchema().String(), i, size)
			}
		}
	}
	return nil
}

// maxExpansion bounds the ratio of decoded to file bytes that a Parquet footer may
// claim before ldfit allocates for it. Recorded activity compresses by a factor of a few;
// a footer claiming far more is corrupt, and believing it would exhaust memory.
const maxExpansion = 4096

// plausible checks that rows × cols float64 values can come from the file.
func (s *source) plausible(rows, cols int) error {
	st, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %v", s.path, err)
	}
	need := float64(rows) * float64(cols) * 8
	if rows < 0 || need > maxExpansion*float64(st.Size())+1<<20 {
		return fmt.Errorf("%s: corrupt Parquet footer: %d rows × %d columns cannot come from a file of %d bytes", s.path, rows, cols, st.Size())
	}
	return nil
}

// pieces returns the number of row groups or record batches, or -1 for a stream.
func (s *source) pieces() int {
	switch s.format {
	case formatParquet:
		return s.pq.ParquetReader().NumRowGroups()
	case formatArrowFile:
		return s.ipcF.NumRecords()
	}
	return -1
}

// piece is one row group or record batch: its columns (possibly in several chunks) and
// row count. Release frees its memory.
type piece struct {
	cols [][]arrow.Array
	rows int
	rel  []func()
}

func (p *piece) Release() {
	for _, f := range p.rel {
		f()
	}
	p.rel = nil
}

// guard runs a call into the Arrow and Parquet decoders and turns a panic inside them
// into an error. arrow/go v17 decodes IPC flatbuffers and Parquet pages without
// verifying them, and indexes out of range on corrupt input; there is no verifier to
// check a file with beforehand. Only decoder calls are guarded: ldfit's own code checks
// its inputs. The error names path; callers that name it themselves pass "".
func guard(path string, f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the decoder failed (%v)", r)
			if path != "" {
				err = fmt.Errorf("%s: corrupt or truncated file: %w", path, err)
			}
		}
	}()
	return f()
}

// readNext reads the next piece with the given column indices (nil: all). It returns
// nil, nil at the end.
func (s *source) readNext(cols []int) (p *piece, err error) {
	err = guard(s.path, func() error {
		p, err = s.readPiece(cols)
		if err == nil && p != nil {
			if cerr := p.check(); cerr != nil {
				err = fmt.Errorf("%s: corrupt data in piece %d: %v", s.path, s.next-1, cerr)
			}
		}
		return err
	})
	if err != nil && p != nil {
		p.Release()
		p = nil
	}
	return p, err
}

// check verifies the buffers of every column, so that converting them cannot index out
// of range.
func (p *piece) check() error {
	for j, chunks := range p.cols {
		n := 0
		for _, a := range chunks {
			if err := checkArray(a); err != nil {
				return fmt.Errorf("column %d: %v", j, err)
			}
			n += a.Len()
		}
		if n != p.rows {
			return fmt.Errorf("column %d has %d values in a piece of %d rows", j, n, p.rows)
		}
	}
	return nil
}

func (s *source) readPiece(cols []int) (*piece, error) {
	if s.done {
		return nil, nil
	}
	if cols == nil {
		cols = make([]int, len(s.schema.Fields()))
		for i := range cols {
			cols[i] = i
		}
	}
	switch s.format {
	case formatParquet:
		if s.next >= s.pieces() {
			s.done = true
			return nil, nil
		}
		rg := s.next
		s.next++
		return s.readRowGroup(rg, cols)
	case formatArrowFile:
		if s.next >= s.ipcF.NumRecords() {
			s.done = true
			return nil, nil
		}
		i := s.next
		s.next++
		rec, err := s.ipcF.RecordAt(i)
		if err != nil {
			return nil, fmt.Errorf("%s: record batch %d: corrupt or truncated Arrow data: %v", s.path, i, err)
		}
		return recordPiece(rec, cols), nil
	default:
		if !s.ipcS.Next() {
			s.done = true
			if err := s.ipcS.Err(); err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%s: record batch %d: corrupt or truncated Arrow stream: %v", s.path, s.next, err)
			}
			return nil, nil
		}
		s.next++
		rec := s.ipcS.Record()
		rec.Retain()
		return recordPiece(rec, cols), nil
	}
}

func recordPiece(rec arrow.Record, cols []int) *piece {
	p := &piece{rows: int(rec.NumRows()), rel: []func(){rec.Release}}
	for _, c := range cols {
		p.cols = append(p.cols, []arrow.Array{rec.Column(c)})
	}
	return p
}

func (s *source) Close() error {
	if s.ipcF != nil {
		s.ipcF.Close()
	}
	if s.ipcS != nil {
		s.ipcS.Release()
	}
	return s.f.Close()
}

// field returns the index of the column named name, or -1.
func (s *source) field(name string) int {
	for i, f := range s.schema.Fields() {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// readRowGroup decodes the given columns of a row group, in parallel over the columns on
// up to GOMAXPROCS goroutines (pqarrow's own parallel reader runs the decoders on
// goroutines where a panic on corrupt data cannot be turned into an error).
func (s *source) readRowGroup(rg int, cols []int) (*piece, error) {
	if err := s.plausible(int(s.pqFile.MetaData().RowGroups[rg].NumRows), len(cols)); err != nil {
		return nil, err
	}
	readers, _, err := s.pq.GetFieldReaders(context.Background(), cols, []int{rg})
	if err != nil {
		return nil, fmt.Errorf("%s: row group %d: corrupt Parquet metadata: %v", s.path, rg, err)
	}
	p := &piece{rows: int(s.pqFile.MetaData().RowGroups[rg].NumRows), cols: make([][]arrow.Array, len(readers))}
	for _, r := range readers {
		p.rel = append(p.rel, r.Release)
	}
	chunked := make([]*arrow.Chunked, len(readers))
	errs := make([]error, len(readers))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(readers)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(readers) {
					return
				}
				errs[i] = guard("", func() (err error) {
					chunked[i], err = s.pq.ReadColumn([]int{rg}, readers[i])
					return err
				})
			}
		}()
	}
	wg.Wait()
	for i, c := range chunked {
		if c != nil {
			p.rel = append(p.rel, c.Release)
			p.cols[i] = c.Chunks()
		}
	}
	for i, err := range errs {
		if err != nil {
			p.Release()
			return nil, fmt.Errorf("%s: row group %d, column %q: corrupt or truncated Parquet data: %v", s.path, rg, s.schema.Field(cols[i]).Name, err)
		}
	}
	return p, nil
}

// limitAllocator refuses single allocations above limit. The refusal panics inside the
// decoder that asked, and guard turns it into an error naming the file.
type limitAllocator struct {
	memory.Allocator
	limit int
}

func (a *limitAllocator) Allocate(n int) []byte {
	if n > a.limit {
		panic(fmt.Sprintf("the file claims a buffer of %d bytes, more than it can hold", n))
	}
	return a.Allocator.Allocate(n)
}

func (a *limitAllocator) Reallocate(n int, b []byte) []byte {
	if n > a.limit {
		panic(fmt.Sprintf("the file claims a buffer of %d bytes, more than it can hold", n))
	}
	return a.Allocator.Reallocate(n, b)
}
