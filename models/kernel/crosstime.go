package kernel

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models"
)

// CrossTime returns the hidden pre-activation kernels K^{t,s}(x_i, x_j) =
// E[h^t(x_i) h^s(x_j)] of a recurrent architecture for all pairs of steps: element
// [t-1][s-1] is the n×n matrix for steps t and s. For a deep architecture, step t is
// layer t, and different layers are uncorrelated.
//
// It works matrix by matrix over the time grid, a separate organisation of the
// recursion Compute evaluates chain by chain, and needs n²T² numbers: it is meant for
// few points.
func CrossTime(a Arch, x []float64, d int) ([][]*mat.Dense, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := checkInputs(x, d); err != nil {
		return nil, err
	}
	n, T := len(x)/d, a.Depth
	grams := inputGrams(a, x, d)
	shared := a.Kind == Recurrent && a.Bias == Shared
	k := make([][]*mat.Dense, T)
	for t := range k {
		k[t] = make([]*mat.Dense, T)
	}
	// K^{t,s} needs K^{t-1,s-1}, K^{t-1,t-1} and K^{s-1,s-1}: fill the grid in shells
	// of growing max(t, s).
	for m := 0; m < T; m++ {
		k[m][m] = crossStep(a, k, grams, m, m, n, shared)
		for t := 0; t < m; t++ {
			k[t][m] = crossStep(a, k, grams, t, m, n, shared)
			k[m][t] = crossStep(a, k, grams, m, t, n, shared)
		}
	}
	return k, nil
}

// crossStep returns K^{t,s} (0-based steps) from the kernels of the previous steps.
func crossStep(a Arch, k [][]*mat.Dense, grams func(t, s int) *mat.Dense, t, s, n int, shared bool) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	if g := grams(t, s); g != nil {
		m.Scale(a.SigmaW2, g)
	}
	if t == s || shared {
		addConst(m, a.SigmaB2)
	}
	// Layers of a deep net have independent weights; a recurrent net reuses W.
	if t > 0 && s > 0 && (t == s || a.Kind == Recurrent) {
		prev, qt, qs := k[t-1][s-1], k[t-1][t-1], k[s-1][s-1]
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				f := models.Pair(a.Phi, qt.At(i, i), qs.At(j, j), prev.At(i, j)).F
				m.Set(i, j, m.At(i, j)+a.SigmaW2*f)
			}
		}
	}
	return m
}

// inputGrams returns a function giving the Gram matrix of the inputs at steps t and s
// (0-based), or nil when no input enters at one of them.
func inputGrams(a Arch, x []float64, d int) func(t, s int) *mat.Dense {
	n, T := len(x)/d, a.Depth
	if a.Kind == Deep || a.Input == FirstStep {
		g := mat.NewDense(n, n, nil)
		xm := mat.NewDense(n, d, x)
		g.Mul(xm, xm.T())
		g.Scale(1/float64(d), g)
		return func(t, s int) *mat.Dense {
			if t == 0 && s == 0 {
				return g
			}
			return nil
		}
	}
	chunk := (d + T - 1) / T
	chunks := make([]*mat.Dense, T)
	for t := range chunks {
		c := mat.NewDense(n, chunk, nil)
		for i := 0; i < n; i++ {
			for f := 0; f < chunk && t*chunk+f < d; f++ {
				c.Set(i, f, x[i*d+t*chunk+f])
			}
		}
		chunks[t] = c
	}
	return func(t, s int) *mat.Dense {
		g := mat.NewDense(n, n, nil)
		g.Mul(chunks[t], chunks[s].T())
		g.Scale(1/float64(chunk), g)
		return g
	}
}

func addConst(m *mat.Dense, c float64) {
	r, cols := m.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < cols; j++ {
			m.Set(i, j, m.At(i, j)+c)
		}
	}
}

// Output returns the output kernel of a given its hidden kernels from CrossTime.
func Output(a Arch, hidden [][]*mat.Dense) (*mat.Dense, error) {
	T := a.Depth
	if len(hidden) != T {
		return nil, fmt.Errorf("kernel: %d steps of hidden kernels for an architecture of depth %d", len(hidden), T)
	}
	n, _ := hidden[0][0].Dims()
	out := mat.NewDense(n, n, nil)
	steps := []int{T - 1}
	scale := a.SigmaW2
	if a.Kind == Recurrent && a.Readout == Sum {
		steps = steps[:0]
		for t := 0; t < T; t++ {
			steps = append(steps, t)
		}
		scale /= float64(T)
	}
	for _, t := range steps {
		for _, s := range steps {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					f := models.Pair(a.Phi, hidden[t][t].At(i, i), hidden[s][s].At(j, j), hidden[t][s].At(i, j)).F
					out.Set(i, j, out.At(i, j)+scale*f)
				}
			}
		}
	}
	addConst(out, a.SigmaB2)
	return out, nil
}
