package data

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Table is a result table: fitted parameters with uncertainties, predictions, spectra,
// kernels. Columns all have the same length.
type Table struct {
	Columns []Column
	Meta    map[string]string
}

// Column is a named column holding exactly one of float64, int64 or string values.
type Column struct {
	Name   string
	Float  []float64
	Int    []int64
	String []string
}

// Len returns the number of values in the column.
func (c *Column) Len() int {
	switch {
	case c.Float != nil:
		return len(c.Float)
	case c.Int != nil:
		return len(c.Int)
	}
	return len(c.String)
}

func (c *Column) kinds() int {
	k := 0
	for _, set := range []bool{c.Float != nil, c.Int != nil, c.String != nil} {
		if set {
			k++
		}
	}
	return k
}

// Col returns the column named name, or nil.
func (t *Table) Col(name string) *Column {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i]
		}
	}
	return nil
}

// Rows returns the number of rows (the length of the first column).
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

// WriteTable writes t to path (.parquet, .arrow, .feather or .arrows), atomically, with
// t.Meta, opt.Meta and the ldfit version as key-value metadata.
func WriteTable(path string, t *Table, opt WriteOptions) error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("%s: table has no columns", path)
	}
	if _, err := formatOf(path); err != nil {
		return err
	}
	rows := t.Rows()
	seen := map[string]bool{}
	var fields []arrow.Field
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.kinds() > 1 {
			return fmt.Errorf("%s: column %q sets more than one of Float, Int, String", path, c.Name)
		}
		if seen[c.Name] {
			return fmt.Errorf("%s: duplicate column name %q", path, c.Name)
		}
		seen[c.Name] = true
		if c.Len() != rows {
			return fmt.Errorf("%s: column %q has %d values, column %q has %d", path, c.Name, c.Len(), t.Columns[0].Name, rows)
		}
		typ := arrow.DataType(arrow.PrimitiveTypes.Float64)
		switch {
		case c.Int != nil:
			typ = arrow.PrimitiveTypes.Int64
		case c.String != nil:
			typ = arrow.BinaryTypes.String
		}
		fields = append(fields, arrow.Field{Name: c.Name, Type: typ})
	}
	md := metadata(nil, t.Meta, opt.Meta)
	sc := arrow.NewSchema(fields, &md)
	mem := opt.mem
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := range t.Columns {
		c := &t.Columns[i]
		switch fb := b.Field(i).(type) {
		case *array.Float64Builder:
			fb.AppendValues(c.Float, nil)
		case *array.Int64Builder:
			fb.AppendValues(c.Int, nil)
		case *array.StringBuilder:
			fb.AppendValues(c.String, nil)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	af, err := createAtomic(path, opt.Inputs)
	if err != nil {
		return err
	}
	rw, err := newRecordWriter(path, af, sc, &opt)
	if err != nil {
		af.abort()
		return err
	}
	if err := rw.write(rec); err != nil {
		rw.close()
		af.abort()
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := rw.close(); err != nil {
		af.abort()
		return fmt.Errorf("%s: %v", path, err)
	}
	return af.commit()
}

// ReadTable reads a whole table. Floating-point columns become Float (nulls NaN),
// integer columns Int, string columns String; any other type is an error naming the
// column.
func ReadTable(path string) (*Table, error) {
	return readTable(path, nil)
}

func readTable(path string, mem memory.Allocator) (*Table, error) {
	s, err := openSource(path, mem)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	t := &Table{Meta: s.meta}
	kinds := make([]byte, len(s.schema.Fields()))
	for i, f := range s.schema.Fields() {
		t.Columns = append(t.Columns, Column{Name: f.Name})
		switch {
		case isInteger(f.Type):
			kinds[i] = 'i'
			t.Columns[i].Int = []int64{}
		case isNumeric(f.Type):
			kinds[i] = 'f'
			t.Columns[i].Float = []float64{}
		case isText(f.Type):
			kinds[i] = 's'
			t.Columns[i].String = []string{}
		default:
			return nil, fmt.Errorf("%s: column %q has type %s; result tables hold numbers and strings only", path, f.Name, f.Type)
		}
	}
	for {
		p, err := s.readNext(nil)
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		for i := range t.Columns {
			c := &t.Columns[i]
			switch kinds[i] {
			case 'i':
				c.Int, err = columnInts(c.Int, p.cols[i])
			case 'f':
				c.Float, err = columnFloats(c.Float, p.cols[i])
			default:
				c.String, err = columnStrings(c.String, p.cols[i])
			}
			if err != nil {
				p.Release()
				return nil, fmt.Errorf("%s: column %q: %v", path, c.Name, err)
			}
		}
		p.Release()
	}
	return t, nil
}
