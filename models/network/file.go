package network

import (
	"fmt"
	"math"
	"sort"

	"github.com/ldfit/ldfit/data"
)

// File reads a user-supplied coupling matrix, e.g. a connectome, from a Parquet or
// Arrow table through data.ReadTable. Two layouts are accepted:
//
//   - sparse: integer columns "pre" and "post" (0-based unit indices, post receives from
//     pre) and a float column "weight"; absent pairs are zero; a pair may appear once;
//   - dense: N numeric columns of N rows, column j holding the couplings J_ij from
//     presynaptic unit j to every unit i; string columns (e.g. a "unit" label) are
//     ignored.
//
// The model's N must match. G2, J0 and Tau keep their roles in the simulation only
// through the dynamics (J is taken as is); Truth.Realised reports the matrix's
// g = √(N·Var J_ij) and J0 = N·mean J_ij.
type File struct {
	Path string
}

func (f File) String() string { return "file:" + f.Path }

// Build reads the file.
func (f File) Build(m *Model, seed uint64, workers int) (Operator, error) {
	t, err := data.ReadTable(f.Path)
	if err != nil {
		return nil, err
	}
	op, err := FromTable(t, m.N())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Path, err)
	}
	return op, nil
}

// FromTable returns the coupling matrix held in t, in either layout of File, for n
// units.
func FromTable(t *data.Table, n int) (Operator, error) {
	pre, post, w := t.Col("pre"), t.Col("post"), t.Col("weight")
	if pre != nil || post != nil || w != nil {
		if pre == nil || post == nil || w == nil {
			return nil, fmt.Errorf("a sparse coupling table needs the columns pre, post and weight")
		}
		return sparseTable(pre, post, w, n)
	}
	return denseTable(t, n)
}

func denseTable(t *data.Table, n int) (Operator, error) {
	var cols []*data.Column
	for i := range t.Columns {
		if c := &t.Columns[i]; c.String == nil {
			cols = append(cols, c)
		}
	}
	if len(cols) != n {
		return nil, fmt.Errorf("a dense coupling table needs one numeric column per unit: %d columns for %d units", len(cols), n)
	}
	d := &Dense{N: n, Data: make([]float64, n*n)}
	for j, c := range cols {
		if c.Len() != n {
			return nil, fmt.Errorf("coupling column %q has %d rows; need %d, one per unit", c.Name, c.Len(), n)
		}
		for i := range n {
			v := float64(0)
			if c.Float != nil {
				v = c.Float[i]
			} else {
				v = float64(c.Int[i])
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("coupling column %q row %d is %v; fill it with a finite value", c.Name, i, v)
			}
			d.Data[i*n+j] = v
		}
	}
	return stats{d, entryStats(d.Data, n)}, nil
}

func sparseTable(pre, post, w *data.Column, n int) (Operator, error) {
	if w.Float == nil && w.Int == nil {
		return nil, fmt.Errorf("coupling column \"weight\" must be numeric")
	}
	idx := func(c *data.Column, r int) (int, error) {
		var v float64
		switch {
		case c.Int != nil:
			v = float64(c.Int[r])
		case c.Float != nil:
			v = c.Float[r]
		default:
			return 0, fmt.Errorf("coupling column %q must hold integer unit indices", c.Name)
		}
		if v != math.Trunc(v) || v < 0 || v >= float64(n) {
			return 0, fmt.Errorf("coupling column %q row %d is %v; need a unit index in 0..%d", c.Name, r, v, n-1)
		}
		return int(v), nil
	}
	type entry struct {
		i, j int
		v    float64
	}
	es := make([]entry, pre.Len())
	for r := range es {
		j, err := idx(pre, r)
		if err != nil {
			return nil, err
		}
		i, err := idx(post, r)
		if err != nil {
			return nil, err
		}
		v := float64(0)
		if w.Float != nil {
			v = w.Float[r]
		} else {
			v = float64(w.Int[r])
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("coupling column \"weight\" row %d is %v; need a finite weight", r, v)
		}
		es[r] = entry{i, j, v}
	}
	sort.Slice(es, func(a, b int) bool {
		if es[a].i != es[b].i {
			return es[a].i < es[b].i
		}
		return es[a].j < es[b].j
	})
	c := &CSR{N: n, RowPtr: make([]int, n+1), Col: make([]int32, len(es)), Val: make([]float64, len(es))}
	for k, e := range es {
		if k > 0 && es[k-1].i == e.i && es[k-1].j == e.j {
			return nil, fmt.Errorf("coupling from unit %d to unit %d appears twice; sum or drop the duplicates", e.j, e.i)
		}
		c.RowPtr[e.i+1]++
		c.Col[k], c.Val[k] = int32(e.j), e.v
	}
	for i := range n {
		c.RowPtr[i+1] += c.RowPtr[i]
	}
	return stats{c, entryStats(c.Val, n)}, nil
}

// entryStats returns g = √(N·Var J_ij) and J0 = N·mean J_ij over all N² entries, of
// which vals are the non-zero ones (or all).
func entryStats(vals []float64, n int) map[string]float64 {
	var s, s2 float64
	for _, v := range vals {
		s += v
		s2 += v * v
	}
	nn := float64(n) * float64(n)
	mean := s / nn
	return map[string]float64{"g": math.Sqrt(float64(n) * (s2/nn - mean*mean)), "J0": mean * float64(n)}
}

// stats is an operator with its realised properties.
type stats struct {
	Operator
	real map[string]float64
}

func (s stats) Realised() map[string]float64 { return s.real }
