package data

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
)

// testRecording returns a recording of n units and the given trials, with values that
// differ in every bit pattern and populations E/I.
func testRecording(nu int, lens []int, seed uint64) *Recording {
	rng := rand.New(rand.NewPCG(seed, 1))
	r := &Recording{Step: 0.001, TimeUnit: "s", Meta: map[string]string{"origin": "test"}}
	for i := 0; i < nu; i++ {
		r.Units = append(r.Units, "u"+string(rune('a'+i%26))+strings.Repeat("x", i/26))
		r.Populations = append(r.Populations, []string{"E", "I"}[i%2])
	}
	start := 1.5
	for k, n := range lens {
		tr := Trial{Start: start, Len: n, Data: make([]float64, n*nu)}
		if len(lens) > 1 {
			tr.Name = "trial" + string(rune('A'+k))
		}
		for i := range tr.Data {
			tr.Data[i] = rng.NormFloat64() * math.Exp(rng.NormFloat64()*3)
		}
		r.Trials = append(r.Trials, tr)
		start += float64(n)*r.Step + 10
	}
	return r
}

// col is a column for writeRaw: a name and an Arrow array.
type col struct {
	name string
	arr  arrow.Array
}

// writeRaw writes columns as they are (any types, duplicate names, nulls) to a Parquet
// or Arrow IPC file, for inputs ldfit's own writers refuse to make. rowGroup > 0 sets
// the Parquet row group length.
func writeRaw(t testing.TB, path string, meta map[string]string, rowGroup int64, cols ...col) {
	t.Helper()
	var fields []arrow.Field
	var arrs []arrow.Array
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c.name, Type: c.arr.DataType(), Nullable: true})
		arrs = append(arrs, c.arr)
	}
	var keys, vals []string
	for k, v := range meta {
		keys, vals = append(keys, k), append(vals, v)
	}
	md := arrow.NewMetadata(keys, vals)
	sc := arrow.NewSchema(fields, &md)
	n := int64(0)
	if len(arrs) > 0 {
		n = int64(arrs[0].Len())
	}
	rec := array.NewRecord(sc, arrs, n)
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".parquet") {
		props := []parquet.WriterProperty{}
		if rowGroup > 0 {
			props = append(props, parquet.WithMaxRowGroupLength(rowGroup))
		}
		w, err := pqarrow.NewFileWriter(sc, f, parquet.NewWriterProperties(props...), pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteBuffered(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	rw, err := newRecordWriter(path, f, sc, &WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := rw.write(rec); err != nil {
		t.Fatal(err)
	}
	if err := rw.close(); err != nil {
		t.Fatal(err)
	}
}

func floats(v ...float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, x := range v {
		b.Append(x)
	}
	return b.NewArray()
}

// nullableFloats makes a float column with nulls where v is NaN.
func nullableFloats(v ...float64) arrow.Array {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, x := range v {
		if math.IsNaN(x) {
			b.AppendNull()
		} else {
			b.Append(x)
		}
	}
	return b.NewArray()
}

func ints(v ...int64) arrow.Array {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func strs(v ...string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(v, nil)
	return b.NewArray()
}

func dictStrs(v ...string) arrow.Array {
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	b := array.NewDictionaryBuilder(memory.DefaultAllocator, dt).(*array.BinaryDictionaryBuilder)
	defer b.Release()
	for _, s := range v {
		b.AppendString(s)
	}
	return b.NewArray()
}

func tmp(t testing.TB, name string) string { return filepath.Join(t.TempDir(), name) }

// wantErr fails unless err is non-nil and its text holds every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func seq(n int, f func(int) float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = f(i)
	}
	return v
}
