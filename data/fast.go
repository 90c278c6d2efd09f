package data

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
)

// The fast path decodes Parquet DOUBLE columns straight into ldfit's unit-major buffers:
// one pass over each page (decompression and a copy), no Arrow arrays in between, the
// column chunks spread over GOMAXPROCS goroutines. It serves plain float64 columns,
// required or nullable, which is what ldfit, pandas, polars and DuckDB write for
// floating-point data; anything else goes through Arrow.

// doubleLeaves returns the Parquet leaf column of each Arrow field index in cols, or
// false when one of them is not a flat DOUBLE column.
func (s *source) doubleLeaves(cols []int) ([]int, bool) {
	if s.pqFile == nil {
		return nil, false
	}
	sc := s.pqFile.MetaData().Schema
	leaves := make([]int, len(cols))
	for i, c := range cols {
		leaf := sc.ColumnIndexByName(s.schema.Field(c).Name)
		if leaf < 0 {
			return nil, false
		}
		col := sc.Column(leaf)
		if col.PhysicalType() != parquet.Types.Double || col.MaxRepetitionLevel() != 0 || col.MaxDefinitionLevel() > 1 ||
			col.ColumnPath().String() != s.schema.Field(c).Name {
			return nil, false
		}
		leaves[i] = leaf
	}
	return leaves, true
}

// readDoubles decodes column chunk leaf of row group rg, n values, into dst; nulls are NaN.
func (s *source) readDoubles(rg, leaf int, dst []float64) error {
	if err := s.readPlainDoubles(rg, leaf, dst); err != errNotPlain {
		return err
	}
	return guard("", func() error {
		ccr, err := s.pqFile.RowGroup(rg).Column(leaf)
		if err != nil {
			return err
		}
		r, ok := ccr.(*file.Float64ColumnChunkReader)
		if !ok {
			return fmt.Errorf("column %d is not DOUBLE", leaf)
		}
		n := len(dst)
		if r.Descriptor().MaxDefinitionLevel() == 0 {
			for got := 0; got < n; {
				_, k, err := r.ReadBatch(int64(n-got), dst[got:], nil, nil)
				if err != nil {
					return err
				}
				if k == 0 {
					return fmt.Errorf("%d values where the row group has %d", got, n)
				}
				got += k
			}
			return nil
		}
		const chunk = 1 << 14
		def := make([]int16, chunk)
		vals := make([]float64, chunk)
		for got := 0; got < n; {
			tot, k, err := r.ReadBatch(int64(min(chunk, n-got)), vals, def, nil)
			if err != nil {
				return err
			}
			if tot == 0 {
				return fmt.Errorf("%d values where the row group has %d", got, n)
			}
			j := 0
			for i := 0; i < int(tot); i++ {
				if def[i] == 1 && j < k {
					dst[got+i] = vals[j]
					j++
				} else {
					dst[got+i] = math.NaN()
				}
			}
			got += int(tot)
		}
		return nil
	})
}

// readAllDoubles decodes whole columns (every row group) into dst[i], in parallel over
// the column chunks.
func (s *source) readAllDoubles(leaves []int, dst [][]float64) error {
	md := s.pqFile.MetaData()
	type task struct{ rg, col, off, n int }
	var tasks []task
	off := 0
	for rg := range md.RowGroups {
		n := int(md.RowGroups[rg].NumRows)
		for c := range leaves {
			tasks = append(tasks, task{rg, c, off, n})
		}
		off += n
	}
	for _, d := range dst {
		if len(d) != off {
			return fmt.Errorf("%s: row groups hold %d rows, the footer says %d", s.path, off, len(d))
		}
	}
	return parallel(len(tasks), func(i int) error {
		t := tasks[i]
		if err := s.readDoubles(t.rg, leaves[t.col], dst[t.col][t.off:t.off+t.n]); err != nil {
			return fmt.Errorf("%s: row group %d, column %q: corrupt or truncated Parquet data: %v", s.path, t.rg, md.Schema.Column(leaves[t.col]).Name(), err)
		}
		return nil
	})
}

// parallel runs f(0..n-1) on up to GOMAXPROCS goroutines and returns the first error.
func parallel(n int, f func(int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				errs[i] = f(i)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
