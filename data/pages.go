package data

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
)

// A direct page reader for the commonest column chunk: required DOUBLE values in PLAIN
// encoding without a dictionary, uncompressed or compressed with zstd or snappy. That is
// what ldfit writes, so reading its own files costs one pass over the memory (a read
// straight into the destination, or a decompression into it). Chunks of any other kind,
// and pages that do not look exactly as expected, go through the Parquet library
// (errNotPlain).

var errNotPlain = errors.New("not a plain required DOUBLE chunk")

// Page types and encodings of the Parquet format.
const (
	pageData   = 0
	pageDataV2 = 3
	encPlain   = 0
)

// pageHeader is the part of a Parquet PageHeader the direct reader needs.
type pageHeader struct {
	typ              int32
	uncompressed     int32
	compressed       int32
	numValues        int32
	encoding         int32
	defLen, repLen   int32
	v2Compressed     bool
	hasV1, hasV2     bool
	v2CompressedSeen bool
}

// compactReader decodes the Thrift compact protocol.
type compactReader struct {
	b   []byte
	pos int
	err error
}

func (r *compactReader) byte() byte {
	if r.pos >= len(r.b) {
		r.err = io.ErrUnexpectedEOF
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *compactReader) uvarint() uint64 {
	var x uint64
	for shift := 0; shift < 64; shift += 7 {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	r.err = errors.New("varint overflow")
	return 0
}

func (r *compactReader) varint() int64 { u := r.uvarint(); return int64(u>>1) ^ -int64(u&1) }

func (r *compactReader) i32() int32 {
	v := r.varint()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.err = errors.New("i32 out of range")
	}
	return int32(v)
}

// skip skips a value of compact type t.
func (r *compactReader) skip(t byte, depth int) {
	if depth > 16 {
		r.err = errors.New("nesting too deep")
		return
	}
	switch t {
	case 1, 2: // booleans carry their value in the type
	case 3:
		r.byte()
	case 4, 5, 6:
		r.uvarint()
	case 7:
		r.pos += 8
	case 8:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.err = io.ErrUnexpectedEOF
			return
		}
		r.pos += int(n)
	case 9, 10:
		h := r.byte()
		n := uint64(h >> 4)
		if n == 15 {
			n = r.uvarint()
		}
		if n > uint64(len(r.b)) {
			r.err = io.ErrUnexpectedEOF
			return
		}
		for i := uint64(0); i < n && r.err == nil; i++ {
			r.skip(h&0x0f, depth+1)
		}
	case 11:
		n := r.uvarint()
		if n > uint64(len(r.b)) {
			r.err = io.ErrUnexpectedEOF
			return
		}
		if n > 0 {
			kv := r.byte()
			for i := uint64(0); i < n && r.err == nil; i++ {
				r.skip(kv>>4, depth+1)
				r.skip(kv&0x0f, depth+1)
			}
		}
	case 12:
		r.fields(depth+1, func(id int16, t byte) bool { return false })
	default:
		r.err = fmt.Errorf("unknown compact type %d", t)
	}
	if r.pos > len(r.b) {
		r.err = io.ErrUnexpectedEOF
	}
}

// fields reads a struct's fields, calling f for each; f returns whether it consumed the
// value, otherwise it is skipped.
func (r *compactReader) fields(depth int, f func(id int16, t byte) bool) {
	var id int16
	for r.err == nil {
		h := r.byte()
		if r.err != nil || h == 0 {
			return
		}
		t := h & 0x0f
		if d := h >> 4; d != 0 {
			id += int16(d)
		} else {
			id = int16(r.varint())
		}
		if !f(id, t) {
			r.skip(t, depth)
		}
	}
}

func parsePageHeader(b []byte) (pageHeader, int, error) {
	r := &compactReader{b: b}
	var h pageHeader
	r.fields(0, func(id int16, t byte) bool {
		switch {
		case id == 1 && t == 5:
			h.typ = r.i32()
		case id == 2 && t == 5:
			h.uncompressed = r.i32()
		case id == 3 && t == 5:
			h.compressed = r.i32()
		case id == 5 && t == 12:
			h.hasV1 = true
			r.fields(1, func(id int16, t byte) bool {
				switch {
				case id == 1 && t == 5:
					h.numValues = r.i32()
				case id == 2 && t == 5:
					h.encoding = r.i32()
				default:
					return false
				}
				return true
			})
		case id == 8 && t == 12:
			h.hasV2 = true
			r.fields(1, func(id int16, t byte) bool {
				switch {
				case id == 1 && t == 5:
					h.numValues = r.i32()
				case id == 4 && t == 5:
					h.encoding = r.i32()
				case id == 5 && t == 5:
					h.defLen = r.i32()
				case id == 6 && t == 5:
					h.repLen = r.i32()
				case id == 7 && (t == 1 || t == 2):
					h.v2Compressed, h.v2CompressedSeen = t == 1, true
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
	if r.err != nil {
		return h, 0, r.err
	}
	return h, r.pos, nil
}

// float64Bytes views a float64 slice as bytes (little-endian machines only).
func float64Bytes(x []float64) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), len(x)*8)
}

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// readPlainDoubles reads a required PLAIN DOUBLE column chunk into dst, or returns
// errNotPlain when the chunk is of another kind.
func (s *source) readPlainDoubles(rg, leaf int, dst []float64) error {
	if !littleEndian {
		return errNotPlain
	}
	rgm := s.pqFile.MetaData().RowGroup(rg)
	cc, err := rgm.ColumnChunk(leaf)
	if err != nil {
		return errNotPlain
	}
	desc := s.pqFile.MetaData().Schema.Column(leaf)
	if desc.MaxDefinitionLevel() != 0 || desc.MaxRepetitionLevel() != 0 || cc.HasDictionaryPage() || cc.Type() != parquet.Types.Double {
		return errNotPlain
	}
	var codec compress.Codec
	switch cc.Compression() {
	case compress.Codecs.Uncompressed:
	case compress.Codecs.Zstd, compress.Codecs.Snappy:
		if codec, err = compress.GetCodec(cc.Compression()); err != nil {
			return errNotPlain
		}
	default:
		return errNotPlain
	}
	if cc.CryptoMetadata() != nil {
		return errNotPlain
	}
	off, end := cc.DataPageOffset(), cc.DataPageOffset()+cc.TotalCompressedSize()
	out := float64Bytes(dst)
	var buf, head, chunk []byte
	head = make([]byte, 1024)
	if codec != nil && end-off <= 64<<20 {
		// Compressed chunks are read whole: one read instead of two per page.
		chunk = make([]byte, end-off)
		if _, err := s.f.ReadAt(chunk, off); err != nil {
			return err
		}
	}
	base := off
	got := 0
	for off < end && got < len(out) {
		var n int
		if chunk != nil {
			head = chunk[off-base:]
			n = len(head)
		} else {
			n, err = s.f.ReadAt(head[:min(int64(len(head)), end-off)], off)
			if n == 0 && err != nil {
				return err
			}
		}
		h, hl, err := parsePageHeader(head[:n])
		if err != nil || h.compressed < 0 || h.uncompressed < 0 || !(h.typ == pageData && h.hasV1 || h.typ == pageDataV2 && h.hasV2) ||
			h.encoding != encPlain || int(h.uncompressed) > len(out)-got || h.defLen != 0 || h.repLen != 0 ||
			off+int64(hl)+int64(h.compressed) > end || int(h.numValues)*8 != int(h.uncompressed) {
			return errNotPlain
		}
		off += int64(hl)
		page := out[got : got+int(h.uncompressed)]
		if codec == nil || h.typ == pageDataV2 && h.v2CompressedSeen && !h.v2Compressed {
			if h.compressed != h.uncompressed {
				return errNotPlain
			}
			if _, err := s.f.ReadAt(page, off); err != nil {
				return err
			}
		} else {
			if chunk != nil {
				buf = chunk[off-base : off-base+int64(h.compressed)]
			} else {
				if cap(buf) < int(h.compressed) {
					buf = make([]byte, h.compressed)
				}
				buf = buf[:h.compressed]
				if _, err := s.f.ReadAt(buf, off); err != nil {
					return err
				}
			}
			res := codec.Decode(page, buf)
			if len(res) != len(page) {
				return fmt.Errorf("page decompressed to %d bytes, header says %d", len(res), len(page))
			}
			if &res[0] != &page[0] {
				copy(page, res)
			}
		}
		off += int64(h.compressed)
		got += int(h.uncompressed)
	}
	if got != len(out) {
		return fmt.Errorf("column chunk holds %d values, the row group %d", got/8, len(dst))
	}
	return nil
}
