package data

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// The Arrow IPC reader of arrow/go v17 trusts the flatbuffers of a file: a corrupt
// vector length makes it allocate gigabytes, which no recover can catch. verifyIPC walks
// every flatbuffer the reader will decode (the footer, and the metadata of every
// message) before the reader sees the file, and checks that every table, string and
// vector lies inside its buffer and every message body inside the file.

var errFlatbuffer = errors.New("corrupt flatbuffer")

type fbuf struct {
	b      []byte
	visits int
}

func (f *fbuf) u32(p int) (int, bool) {
	if p < 0 || p+4 > len(f.b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(f.b[p:])), true
}

// table checks the table at p and returns it; field(i) gives a field's position.
func (f *fbuf) table(p int) (fbTable, error) {
	f.visits++
	if f.visits > 1<<16 || p < 0 || p+4 > len(f.b) {
		return fbTable{}, errFlatbuffer
	}
	vt := p - int(int32(binary.LittleEndian.Uint32(f.b[p:])))
	if vt < 0 || vt+4 > len(f.b) {
		return fbTable{}, errFlatbuffer
	}
	vsize, tsize := int(binary.LittleEndian.Uint16(f.b[vt:])), int(binary.LittleEndian.Uint16(f.b[vt+2:]))
	if vsize < 4 || vsize%2 != 0 || vt+vsize > len(f.b) || p+tsize > len(f.b) {
		return fbTable{}, errFlatbuffer
	}
	return fbTable{f: f, p: p, vt: vt, vsize: vsize, tsize: tsize}, nil
}

type fbTable struct {
	f                   *fbuf
	p, vt, vsize, tsize int
}

// field returns the position of field i, or -1 when absent.
func (t fbTable) field(i int) (int, error) {
	o := 4 + 2*i
	if o+2 > t.vsize {
		return -1, nil
	}
	fo := int(binary.LittleEndian.Uint16(t.f.b[t.vt+o:]))
	if fo == 0 {
		return -1, nil
	}
	if fo+1 > t.tsize {
		return -1, errFlatbuffer
	}
	return t.p + fo, nil
}

// ref follows the offset field i to a table or vector position; -1 when absent.
func (t fbTable) ref(i int) (int, error) {
	p, err := t.field(i)
	if p < 0 || err != nil {
		return -1, err
	}
	off, ok := t.f.u32(p)
	if !ok || p+off >= len(t.f.b) {
		return -1, errFlatbuffer
	}
	return p + off, nil
}

// vector checks the vector of elem-byte elements in field i and returns its length and
// the position of its first element.
func (t fbTable) vector(i, elem int) (n, start int, err error) {
	p, err := t.ref(i)
	if p < 0 || err != nil {
		return 0, 0, err
	}
	n, ok := t.f.u32(p)
	if !ok || n > (len(t.f.b)-p-4)/elem {
		return 0, 0, errFlatbuffer
	}
	return n, p + 4, nil
}

// tables calls check for every table of the vector of tables in field i.
func (t fbTable) tables(i int, check func(fbTable) error) error {
	n, start, err := t.vector(i, 4)
	if err != nil {
		return err
	}
	for k := 0; k < n; k++ {
		p := start + 4*k
		off, _ := t.f.u32(p)
		sub, err := t.f.table(p + off)
		if err != nil {
			return err
		}
		if err := check(sub); err != nil {
			return err
		}
	}
	return nil
}

func (t fbTable) sub(i int, check func(fbTable) error) error {
	p, err := t.ref(i)
	if p < 0 || err != nil {
		return err
	}
	s, err := t.f.table(p)
	if err != nil {
		return err
	}
	return check(s)
}

func (t fbTable) byteAt(i int) byte {
	p, _ := t.field(i)
	if p < 0 || p >= len(t.f.b) {
		return 0
	}
	return t.f.b[p]
}

func noCheck(fbTable) error { return nil }

func checkKeyValue(t fbTable) error {
	if _, _, err := t.vector(0, 1); err != nil {
		return err
	}
	_, _, err := t.vector(1, 1)
	return err
}

func checkField(depth int) func(fbTable) error {
	return func(t fbTable) error {
		if depth > 64 {
			return errFlatbuffer
		}
		if _, _, err := t.vector(0, 1); err != nil { // name
			return err
		}
		err := t.sub(3, func(ty fbTable) error {
			switch t.byteAt(2) {
			case 10: // Timestamp: timezone
				_, _, err := ty.vector(1, 1)
				return err
			case 14: // Union: typeIds
				_, _, err := ty.vector(1, 4)
				return err
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := t.sub(4, func(d fbTable) error { return d.sub(1, noCheck) }); err != nil {
			return err
		}
		if err := t.tables(5, checkField(depth+1)); err != nil {
			return err
		}
		return t.tables(6, checkKeyValue)
	}
}

func checkSchema(t fbTable) error {
	if err := t.tables(1, checkField(0)); err != nil {
		return err
	}
	if err := t.tables(2, checkKeyValue); err != nil {
		return err
	}
	_, _, err := t.vector(3, 8)
	return err
}

func checkRecordBatch(t fbTable) error {
	if _, _, err := t.vector(1, 16); err != nil { // nodes
		return err
	}
	if _, _, err := t.vector(2, 16); err != nil { // buffers
		return err
	}
	if err := t.sub(3, noCheck); err != nil {
		return err
	}
	_, _, err := t.vector(4, 8)
	return err
}

// checkMessage verifies a Message flatbuffer and returns its body length.
func checkMessage(b []byte) (int64, error) {
	f := &fbuf{b: b}
	root, ok := f.u32(0)
	if !ok {
		return 0, errFlatbuffer
	}
	t, err := f.table(root)
	if err != nil {
		return 0, err
	}
	switch t.byteAt(1) {
	case 1:
		err = t.sub(2, checkSchema)
	case 2:
		err = t.sub(2, func(d fbTable) error { return d.sub(1, checkRecordBatch) })
	case 3:
		err = t.sub(2, checkRecordBatch)
	default:
		return 0, fmt.Errorf("unsupported message type %d", t.byteAt(1))
	}
	if err != nil {
		return 0, err
	}
	if err := t.tables(4, checkKeyValue); err != nil {
		return 0, err
	}
	var body int64
	if p, _ := t.field(3); p >= 0 {
		if p+8 > len(b) {
			return 0, errFlatbuffer
		}
		body = int64(binary.LittleEndian.Uint64(b[p:]))
	}
	if body < 0 {
		return 0, errFlatbuffer
	}
	return body, nil
}

// readMessageAt verifies the message whose metadata starts at off, and returns where it
// ends (after its body).
func readMessageAt(f io.ReaderAt, off, size int64) (end int64, eos bool, err error) {
	var pre [8]byte
	if _, err := f.ReadAt(pre[:4], off); err != nil {
		return 0, false, err
	}
	n := int64(int32(binary.LittleEndian.Uint32(pre[:4])))
	hdr := int64(4)
	if n == -1 { // continuation marker, then the length
		if _, err := f.ReadAt(pre[4:8], off+4); err != nil {
			return 0, false, err
		}
		n = int64(int32(binary.LittleEndian.Uint32(pre[4:8])))
		hdr = 8
	}
	if n == 0 {
		return off + hdr, true, nil
	}
	if n < 0 || off+hdr+n > size {
		return 0, false, fmt.Errorf("message metadata of %d bytes at offset %d runs past the end of the file", n, off)
	}
	meta := make([]byte, n)
	if _, err := f.ReadAt(meta, off+hdr); err != nil {
		return 0, false, err
	}
	body, err := checkMessage(meta)
	if err != nil {
		return 0, false, fmt.Errorf("message at offset %d: %v", off, err)
	}
	end = off + hdr + n + body
	if end > size || end < off {
		return 0, false, fmt.Errorf("message body of %d bytes at offset %d runs past the end of the file", body, off)
	}
	return end, false, nil
}

// verifyIPC checks an Arrow IPC file or stream before it is decoded.
func verifyIPC(f *os.File, fm format) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return verifyIPCAt(f, st.Size(), fm)
}

// verifyArrowSchemaKey checks the Arrow schema that Parquet writers store, base64
// encoded, under the key-value metadata "ARROW:schema", and that pqarrow decodes.
func verifyArrowSchemaKey(v string) error {
	var b []byte
	var err error
	if len(v)%4 == 0 {
		b, err = base64.StdEncoding.DecodeString(v)
	}
	if len(b) == 0 || err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(v); err != nil {
			return err
		}
	}
	return verifyIPCAt(bytes.NewReader(b), int64(len(b)), formatArrowStream)
}

func verifyIPCAt(f io.ReaderAt, size int64, fm format) error {
	if fm == formatArrowStream {
		for off := int64(0); off < size; {
			end, eos, err := readMessageAt(f, off, size)
			if err != nil {
				if errors.Is(err, io.EOF) {
					return fmt.Errorf("stream ends inside a message at offset %d", off)
				}
				return err
			}
			if eos {
				break
			}
			off = end
		}
		return nil
	}
	// File: magic, messages, footer flatbuffer, footer length, magic.
	if size < 6+4+6 {
		return fmt.Errorf("too short for an Arrow IPC file (%d bytes)", size)
	}
	var tail [10]byte
	if _, err := f.ReadAt(tail[:], size-10); err != nil {
		return err
	}
	if string(tail[4:]) != "ARROW1" {
		return fmt.Errorf("no ARROW1 magic at the end: the file is truncated")
	}
	flen := int64(int32(binary.LittleEndian.Uint32(tail[:4])))
	if flen <= 0 || flen > size-10-8 {
		return fmt.Errorf("footer length %d does not fit the file", flen)
	}
	footer := make([]byte, flen)
	if _, err := f.ReadAt(footer, size-10-flen); err != nil {
		return err
	}
	fb := &fbuf{b: footer}
	root, ok := fb.u32(0)
	if !ok {
		return errFlatbuffer
	}
	t, err := fb.table(root)
	if err != nil {
		return fmt.Errorf("footer: %v", err)
	}
	if err := t.sub(1, checkSchema); err != nil {
		return fmt.Errorf("footer schema: %v", err)
	}
	if err := t.tables(4, checkKeyValue); err != nil {
		return fmt.Errorf("footer metadata: %v", err)
	}
	for _, field := range []int{2, 3} { // dictionaries, record batches: Block structs
		n, start, err := t.vector(field, 24)
		if err != nil {
			return fmt.Errorf("footer blocks: %v", err)
		}
		for k := 0; k < n; k++ {
			p := start + 24*k
			off := int64(binary.LittleEndian.Uint64(footer[p:]))
			meta := int64(int32(binary.LittleEndian.Uint32(footer[p+8:])))
			body := int64(binary.LittleEndian.Uint64(footer[p+16:]))
			if off < 0 || meta < 0 || body < 0 || off+meta+body > size || off+meta+body < off {
				return fmt.Errorf("block %d lies outside the file", k)
			}
			if _, _, err := readMessageAt(f, off, size); err != nil {
				return err
			}
		}
	}
	return nil
}
