package data

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// isNumeric reports whether a column of type dt converts to float64: any integer or
// floating type, also dictionary-encoded.
func isNumeric(dt arrow.DataType) bool {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

func isInteger(dt arrow.DataType) bool {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// isText reports whether a column of type dt converts to strings: strings (also
// dictionary-encoded) and integers (labels such as unit 17).
func isText(dt arrow.DataType) bool {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BINARY, arrow.LARGE_BINARY:
		return true
	}
	return isInteger(dt)
}

// appendFloats appends the values of a numeric array to dst, nulls as NaN.
func appendFloats(dst []float64, a arrow.Array) ([]float64, error) {
	if d, ok := a.(*array.Dictionary); ok {
		vals, err := appendFloats(nil, d.Dictionary())
		if err != nil {
			return dst, err
		}
		for i := 0; i < d.Len(); i++ {
			if d.IsNull(i) {
				dst = append(dst, math.NaN())
				continue
			}
			k := d.GetValueIndex(i)
			if k < 0 || k >= len(vals) {
				return dst, fmt.Errorf("dictionary index %d out of range", k)
			}
			dst = append(dst, vals[k])
		}
		return dst, nil
	}
	n := a.Len()
	start := len(dst)
	switch v := a.(type) {
	case *array.Float64:
		dst = append(dst, v.Float64Values()...)
	case *array.Float32:
		dst = appendFloat64(dst, v.Float32Values())
	case *array.Float16:
		for _, x := range v.Values() {
			dst = append(dst, float64(x.Float32()))
		}
	case *array.Int64:
		dst = appendFloat64(dst, v.Int64Values())
	case *array.Int32:
		dst = appendFloat64(dst, v.Int32Values())
	case *array.Int16:
		dst = appendFloat64(dst, v.Int16Values())
	case *array.Int8:
		dst = appendFloat64(dst, v.Int8Values())
	case *array.Uint64:
		dst = appendFloat64(dst, v.Uint64Values())
	case *array.Uint32:
		dst = appendFloat64(dst, v.Uint32Values())
	case *array.Uint16:
		dst = appendFloat64(dst, v.Uint16Values())
	case *array.Uint8:
		dst = appendFloat64(dst, v.Uint8Values())
	case *array.Decimal128:
		// DuckDB writes decimal literals such as i * 0.01 as DECIMAL.
		scale := v.DataType().(*arrow.Decimal128Type).Scale
		for i := 0; i < v.Len(); i++ {
			dst = append(dst, v.Value(i).ToFloat64(scale))
		}
	case *array.Decimal256:
		scale := v.DataType().(*arrow.Decimal256Type).Scale
		for i := 0; i < v.Len(); i++ {
			dst = append(dst, v.Value(i).ToFloat64(scale))
		}
	default:
		return dst, fmt.Errorf("type %s is not numeric", a.DataType())
	}
	if len(dst)-start != n {
		return dst[:start], fmt.Errorf("corrupt array: %d values for %d rows", len(dst)-start, n)
	}
	if a.NullN() > 0 {
		for i := 0; i < n; i++ {
			if a.IsNull(i) {
				dst[start+i] = math.NaN()
			}
		}
	}
	return dst, nil
}

// appendInts appends the values of an integer array to dst; ok is false per null.
func appendInts(dst []int64, a arrow.Array) ([]int64, error) {
	if d, ok := a.(*array.Dictionary); ok {
		vals, err := appendInts(nil, d.Dictionary())
		if err != nil {
			return dst, err
		}
		for i := 0; i < d.Len(); i++ {
			if d.IsNull(i) {
				return dst, fmt.Errorf("null in row %d", len(dst))
			}
			k := d.GetValueIndex(i)
			if k < 0 || k >= len(vals) {
				return dst, fmt.Errorf("dictionary index %d out of range", k)
			}
			dst = append(dst, vals[k])
		}
		return dst, nil
	}
	start := len(dst)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			return dst, fmt.Errorf("null in row %d", start+i)
		}
		var x int64
		switch v := a.(type) {
		case *array.Int64:
			x = v.Value(i)
		case *array.Int32:
			x = int64(v.Value(i))
		case *array.Int16:
			x = int64(v.Value(i))
		case *array.Int8:
			x = int64(v.Value(i))
		case *array.Uint64:
			if v.Value(i) > math.MaxInt64 {
				return dst, fmt.Errorf("value %d in row %d overflows int64", v.Value(i), start+i)
			}
			x = int64(v.Value(i))
		case *array.Uint32:
			x = int64(v.Value(i))
		case *array.Uint16:
			x = int64(v.Value(i))
		case *array.Uint8:
			x = int64(v.Value(i))
		default:
			return dst, fmt.Errorf("type %s is not an integer type", a.DataType())
		}
		dst = append(dst, x)
	}
	return dst, nil
}

// appendStrings appends the values of a string or integer array to dst. Nulls are an
// error: labels and names cannot be missing.
func appendStrings(dst []string, a arrow.Array) ([]string, error) {
	if d, ok := a.(*array.Dictionary); ok {
		vals, err := appendStrings(nil, d.Dictionary())
		if err != nil {
			return dst, err
		}
		for i := 0; i < d.Len(); i++ {
			if d.IsNull(i) {
				return dst, fmt.Errorf("missing value (null) in row %d", len(dst))
			}
			k := d.GetValueIndex(i)
			if k < 0 || k >= len(vals) {
				return dst, fmt.Errorf("dictionary index %d out of range", k)
			}
			dst = append(dst, vals[k])
		}
		return dst, nil
	}
	if isInteger(a.DataType()) {
		ints, err := appendInts(nil, a)
		if err != nil {
			return dst, err
		}
		for _, x := range ints {
			dst = append(dst, strconv.FormatInt(x, 10))
		}
		return dst, nil
	}
	start := len(dst)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			return dst, fmt.Errorf("missing value (null) in row %d", start+i)
		}
		switch v := a.(type) {
		case *array.String:
			dst = append(dst, v.Value(i))
		case *array.LargeString:
			dst = append(dst, v.Value(i))
		case *array.StringView:
			dst = append(dst, v.Value(i))
		case *array.Binary:
			dst = append(dst, string(v.Value(i)))
		case *array.LargeBinary:
			dst = append(dst, string(v.Value(i)))
		default:
			return dst, fmt.Errorf("type %s is neither a string nor an integer", a.DataType())
		}
	}
	return dst, nil
}

// columnFloats reads a numeric column of a piece; nulls become NaN.
func columnFloats(dst []float64, chunks []arrow.Array) ([]float64, error) {
	var err error
	for _, c := range chunks {
		if dst, err = appendFloats(dst, c); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func columnStrings(dst []string, chunks []arrow.Array) ([]string, error) {
	var err error
	for _, c := range chunks {
		if dst, err = appendStrings(dst, c); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

func columnInts(dst []int64, chunks []arrow.Array) ([]int64, error) {
	var err error
	for _, c := range chunks {
		if dst, err = appendInts(dst, c); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// checkArray verifies that the buffers of an array are large enough for its length and
// that string offsets are in range.
func checkArray(a arrow.Array) error {
	d := a.Data()
	if d.Offset() < 0 || d.Len() < 0 {
		return fmt.Errorf("negative offset or length")
	}
	end := d.Offset() + d.Len()
	bufs := d.Buffers()
	if a.NullN() > 0 && len(bufs) > 0 && bufs[0] != nil && bufs[0].Len()*8 < end {
		return fmt.Errorf("validity bitmap of %d bytes for %d values", bufs[0].Len(), end)
	}
	switch v := a.(type) {
	case *array.Dictionary:
		if err := checkArray(v.Dictionary()); err != nil {
			return err
		}
		return checkArray(v.Indices())
	case *array.String:
		return checkOffsets(v.ValueOffsets(), len(v.ValueBytes()), v.Len())
	case *array.LargeString:
		return checkOffsets64(v.ValueOffsets(), len(v.ValueBytes()), v.Len())
	case *array.Binary:
		return checkOffsets(v.ValueOffsets(), len(v.ValueBytes()), v.Len())
	case array.ListLike:
		if l, ok := v.(*array.List); ok {
			if err := checkOffsets(l.Offsets(), l.ListValues().Len(), l.Len()); err != nil {
				return err
			}
		}
		return checkArray(v.ListValues())
	}
	if fw, ok := a.DataType().(arrow.FixedWidthDataType); ok && end > 0 && len(bufs) > 1 && fw.BitWidth() >= 8 {
		if bufs[1] == nil || bufs[1].Len()*8/fw.BitWidth() < end {
			return fmt.Errorf("data buffer too short for %d values of %s", end, a.DataType())
		}
	}
	return nil
}

func checkOffsets(off []int32, n, rows int) error {
	if len(off) < rows+1 && rows > 0 {
		return fmt.Errorf("%d offsets for %d values", len(off), rows)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] || off[i-1] < 0 || int(off[i]) > n {
			return fmt.Errorf("offset %d out of range", off[i])
		}
	}
	return nil
}

func checkOffsets64(off []int64, n, rows int) error {
	if len(off) < rows+1 && rows > 0 {
		return fmt.Errorf("%d offsets for %d values", len(off), rows)
	}
	for i := 1; i < len(off); i++ {
		if off[i] < off[i-1] || off[i-1] < 0 || off[i] > int64(n) {
			return fmt.Errorf("offset %d out of range", off[i])
		}
	}
	return nil
}

// coder numbers strings (unit names, trials) in order of first appearance.
type coder struct {
	pos      map[string]int32
	names    []string
	last     int32 // code of the previous value, -1 at first
	lastInt  int64
	lastIntK int32
}

func newCoder() *coder { return &coder{pos: map[string]int32{}, last: -1, lastIntK: -1} }

func (c *coder) code(s string) int32 {
	if c.last >= 0 && c.names[c.last] == s {
		return c.last
	}
	k, ok := c.pos[s]
	if !ok {
		s = strings.Clone(s) // s may point into an Arrow buffer that is released
		k = int32(len(c.names))
		c.pos[s] = k
		c.names = append(c.names, s)
	}
	c.last = k
	return k
}

func (c *coder) codeInt(x int64) int32 {
	if c.lastIntK >= 0 && c.lastInt == x {
		return c.lastIntK
	}
	k := c.code(strconv.FormatInt(x, 10))
	c.lastInt, c.lastIntK = x, k
	return k
}

// appendCodes appends the codes of a string or integer column; nulls are an error.
func appendCodes(dst []int32, chunks []arrow.Array, c *coder) ([]int32, error) {
	for _, a := range chunks {
		base := len(dst)
		if a.NullN() > 0 {
			for i := 0; i < a.Len(); i++ {
				if a.IsNull(i) {
					return dst, fmt.Errorf("missing value (null) in row %d", base+i)
				}
			}
		}
		switch v := a.(type) {
		case *array.Dictionary:
			names, err := appendStrings(nil, v.Dictionary())
			if err != nil {
				return dst, err
			}
			codes := make([]int32, len(names))
			for j, s := range names {
				codes[j] = c.code(s)
			}
			for i := 0; i < v.Len(); i++ {
				k := v.GetValueIndex(i)
				if k < 0 || k >= len(codes) {
					return dst, fmt.Errorf("dictionary index %d out of range in row %d", k, base+i)
				}
				dst = append(dst, codes[k])
			}
		case *array.String:
			for i := 0; i < v.Len(); i++ {
				dst = append(dst, c.code(v.Value(i)))
			}
		case *array.LargeString:
			for i := 0; i < v.Len(); i++ {
				dst = append(dst, c.code(v.Value(i)))
			}
		default:
			if isInteger(a.DataType()) {
				ints, err := appendInts(nil, a)
				if err != nil {
					return dst, err
				}
				for _, x := range ints {
					dst = append(dst, c.codeInt(x))
				}
				continue
			}
			strs, err := appendStrings(nil, a)
			if err != nil {
				return dst, err
			}
			for _, s := range strs {
				dst = append(dst, c.code(s))
			}
		}
	}
	return dst, nil
}

// appendFloat64 appends the values of a numeric column converted to float64.
func appendFloat64[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32](dst []float64, xs []T) []float64 {
	for _, x := range xs {
		dst = append(dst, float64(x))
	}
	return dst
}
