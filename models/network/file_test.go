package network

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/ldfit/ldfit/data"
)

// A matrix written in the dense and in the sparse layout reads back as the same
// operator, and the simulation with it equals the one with the generated matrix.
func TestFileCoupling(t *testing.T) {
	const n = 40
	m := Single(n, 1.5, 0.2, tanhPhi{})
	m.Coupling = Sparse{P: 0.3}
	op, err := m.Coupling.Build(&m, 9, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := op.(*CSR)
	J := entries(c)
	dense := &data.Table{}
	for j := range n {
		col := data.Column{Name: UnitNames(n)[j], Float: make([]float64, n)}
		for i := range n {
			col.Float[i] = J(i, j)
		}
		dense.Columns = append(dense.Columns, col)
	}
	dense.Columns = append(dense.Columns, data.Column{Name: "unit", String: UnitNames(n)})
	sparse := &data.Table{Columns: []data.Column{{Name: "pre"}, {Name: "post"}, {Name: "weight"}}}
	for i := range n {
		for k := c.RowPtr[i]; k < c.RowPtr[i+1]; k++ {
			sparse.Columns[0].Int = append(sparse.Columns[0].Int, int64(c.Col[k]))
			sparse.Columns[1].Int = append(sparse.Columns[1].Int, int64(i))
			sparse.Columns[2].Float = append(sparse.Columns[2].Float, c.Val[k])
		}
	}
	// Reverse the rows of the sparse table: order must not matter.
	for _, col := range sparse.Columns {
		slices.Reverse(col.Int)
		slices.Reverse(col.Float)
	}
	opt := Options{Dt: 0.1, Steps: 30, Seed: 9}
	want, err := Simulate(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	for name, tab := range map[string]*data.Table{"dense": dense, "sparse": sparse} {
		path := filepath.Join(t.TempDir(), name+".parquet")
		if err := data.WriteTable(path, tab, data.WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		m.Coupling = File{Path: path}
		got, err := Simulate(m, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i, v := range got.Trials[0].Data {
			// The dense product sums the zeros too; allow rounding.
			if d := v - want.Trials[0].Data[i]; d > 1e-9 || d < -1e-9 {
				t.Fatalf("%s: sample %d: %v, want %v", name, i, v, want.Trials[0].Data[i])
			}
		}
		tr, _ := ReadTruth(got.Meta)
		if g := tr.Realised["g"]; g < 1.2 || g > 1.8 {
			t.Errorf("%s: realised g %v, want about 1.5", name, g)
		}
	}
}

func TestFileCouplingBadInput(t *testing.T) {
	cases := map[string]*data.Table{
		"missing weight": {Columns: []data.Column{{Name: "pre", Int: []int64{0}}, {Name: "post", Int: []int64{1}}}},
		"index range":    {Columns: []data.Column{{Name: "pre", Int: []int64{0}}, {Name: "post", Int: []int64{3}}, {Name: "weight", Float: []float64{1}}}},
		"duplicate":      {Columns: []data.Column{{Name: "pre", Int: []int64{0, 0}}, {Name: "post", Int: []int64{1, 1}}, {Name: "weight", Float: []float64{1, 2}}}},
		"dense columns":  {Columns: []data.Column{{Name: "a", Float: []float64{1, 2, 3}}}},
		"dense rows":     {Columns: []data.Column{{Name: "a", Float: []float64{1}}, {Name: "b", Float: []float64{1}}, {Name: "c", Float: []float64{1}}}},
	}
	for name, tab := range cases {
		if _, err := FromTable(tab, 3); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	m := Single(3, 1, 0, tanhPhi{})
	m.Coupling = File{Path: filepath.Join(t.TempDir(), "absent.parquet")}
	if _, err := Simulate(m, Options{Dt: 0.1, Steps: 2}); err == nil {
		t.Error("absent file: no error")
	}
}
