package network

import (
	"math"
	"testing"
)

// blockStats returns the mean and variance of the entries J_ij, i in [i0,i1), j in [j0,j1).
func blockStats(J func(i, j int) float64, i0, i1, j0, j1 int) (m, v float64) {
	var x []float64
	for i := i0; i < i1; i++ {
		for j := j0; j < j1; j++ {
			x = append(x, J(i, j))
		}
	}
	return meanVar(x)
}

func twoPops(c Coupling) Model {
	return Model{
		Pops: []Pop{
			{Name: "E", N: 400, Tau: 1, Phi: tanhPhi{}},
			{Name: "I", N: 200, Tau: 1, Phi: tanhPhi{}},
		},
		G2:       [][]float64{{1, 4}, {0.25, 0}},
		J0:       [][]float64{{2, -3}, {1, 0}},
		Coupling: c,
	}
}

// The entries of each block have mean J0_ab/N_b and variance g_ab²/N_b, for the dense
// and the sparse generator.
func TestCouplingBlockMoments(t *testing.T) {
	for _, c := range []Coupling{IID{}, Sparse{P: 0.3}} {
		m := twoPops(c)
		op, err := c.Build(&m, 11, 2)
		if err != nil {
			t.Fatal(err)
		}
		J := entries(op)
		off := m.Offsets()
		for a := range 2 {
			for b := range 2 {
				nb := float64(m.Pops[b].N)
				mean, v := blockStats(J, off[a], off[a+1], off[b], off[b+1])
				cnt := float64(m.Pops[a].N) * nb
				wantM, wantV := m.J0[a][b]/nb, m.G2[a][b]/nb
				kurt := 3.0
				if s, ok := c.(Sparse); ok {
					wantV += m.J0[a][b] * m.J0[a][b] * (1 - s.P) / (s.P * nb * nb)
					kurt /= s.P
				}
				// Five standard errors of the mean and of the variance.
				seM := math.Sqrt(wantV / cnt)
				seV := wantV * math.Sqrt((kurt-1)/cnt)
				if math.Abs(mean-wantM) > 5*seM+1e-12 || math.Abs(v-wantV) > 5*seV+1e-12 {
					t.Errorf("%v block %d%d: mean %.3g var %.3g, want %.3g %.3g", c, a, b, mean, v, wantM, wantV)
				}
			}
		}
	}
}

func TestSparseDensity(t *testing.T) {
	m := Single(2000, 1, 0, tanhPhi{})
	op, err := Sparse{P: 0.05}.Build(&m, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	c := op.(*CSR)
	p := float64(len(c.Val)) / (2000 * 2000)
	if math.Abs(p-0.05) > 5*math.Sqrt(0.05*0.95/4e6) {
		t.Errorf("density %.5f, want 0.05", p)
	}
	for i := range c.N {
		cols := c.Col[c.RowPtr[i]:c.RowPtr[i+1]]
		for k := 1; k < len(cols); k++ {
			if cols[k] <= cols[k-1] {
				t.Fatalf("row %d: columns not increasing", i)
			}
		}
	}
}

// The CSR and dense products agree with a plain triple loop, for any worker count.
func TestApply(t *testing.T) {
	m := Single(333, 1.3, 0, tanhPhi{})
	for _, c := range []Coupling{IID{}, Sparse{P: 0.1}} {
		op, err := c.Build(&m, 5, 1)
		if err != nil {
			t.Fatal(err)
		}
		J := entries(op)
		v := make([]float64, 333)
		for i := range v {
			v[i] = math.Sin(float64(i))
		}
		for _, w := range []int{1, 2, 3} {
			dst := make([]float64, 333)
			op.Apply(dst, v, w)
			for i := range dst {
				var s float64
				for j := range v {
					s += J(i, j) * v[j]
				}
				if math.Abs(s-dst[i]) > 1e-12 {
					t.Fatalf("%v, %d workers: row %d: %v, want %v", c, w, i, dst[i], s)
				}
			}
		}
	}
}

// entries returns J_ij as a function, for dense and CSR operators.
func entries(op Operator) func(i, j int) float64 {
	switch o := op.(type) {
	case *Dense:
		return o.At
	case *CSR:
		d := make([]float64, o.N*o.N)
		for i := range o.N {
			for k := o.RowPtr[i]; k < o.RowPtr[i+1]; k++ {
				d[i*o.N+int(o.Col[k])] = o.Val[k]
			}
		}
		return (&Dense{N: o.N, Data: d}).At
	}
	panic("unknown operator")
}
