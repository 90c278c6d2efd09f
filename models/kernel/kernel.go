package kernel

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/models"
)

// Kernel is the output kernel of an architecture on a set of points, with its
// derivatives with respect to σ_w² and σ_b² when they were asked for.
type Kernel struct {
	K  *mat.SymDense
	DW *mat.SymDense // ∂K/∂σ_w², or nil
	DB *mat.SymDense // ∂K/∂σ_b², or nil
}

// Options controls how a kernel is computed.
type Options struct {
	Grad    bool // also compute the derivatives DW and DB
	Workers int  // parallel workers over row blocks; 0 means GOMAXPROCS
}

// Compute returns the output kernel of a on the n rows of x (row-major, d columns).
// Train and test points are passed together, so that one call gives every block the
// Gaussian-process posterior needs.
func Compute(a Arch, x []float64, d int, opt Options) (*Kernel, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if err := checkInputs(x, d); err != nil {
		return nil, err
	}
	return newComputer(a, x, d).fill(opt), nil
}

// FromGram returns the output kernel of a for points whose input Gram matrix
// x·x'/d is g. The input must enter at the first step (every deep net; recurrent nets
// with input=first).
func FromGram(a Arch, g *mat.SymDense, opt Options) (*Kernel, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Kind == Recurrent && a.Input == EveryStep {
		return nil, fmt.Errorf("kernel: %s needs the features, not only their Gram matrix", a)
	}
	n := g.SymmetricDim()
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			if v := g.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("kernel: Gram matrix entry (%d,%d) is %v; remove non-finite features", i, j, v)
			}
		}
	}
	c := &computer{a: a, n: n, steps: a.Depth, gram: g}
	return c.fill(opt), nil
}

// fill computes every entry of the upper triangle.
func (c *computer) fill(opt Options) *Kernel {
	n := c.n
	c.grad = opt.Grad
	k := &Kernel{K: mat.NewSymDense(n, nil)}
	if opt.Grad {
		k.DW = mat.NewSymDense(n, nil)
		k.DB = mat.NewSymDense(n, nil)
	}
	c.diagonals(opt.Workers)
	c.expandAll(opt.Workers)
	parallelRows(n, opt.Workers, func(i int) {
		for j := i; j < n; j++ {
			v, dw, db := c.entry(i, j)
			k.K.SetSym(i, j, v)
			if opt.Grad {
				k.DW.SetSym(i, j, dw)
				k.DB.SetSym(i, j, db)
			}
		}
	})
	return k
}

// Gram returns x·x'/d for the n rows of x.
func Gram(x []float64, d int) *mat.SymDense {
	n := len(x) / d
	g := mat.NewSymDense(n, nil)
	if n > 0 {
		g.SymOuterK(1/float64(d), mat.NewDense(n, d, x))
	}
	return g
}

func checkInputs(x []float64, d int) error {
	if d < 1 {
		return fmt.Errorf("kernel: need at least one feature, got d = %d", d)
	}
	if len(x)%d != 0 {
		return fmt.Errorf("kernel: %d values are not a whole number of rows of %d features", len(x), d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("kernel: feature %d of row %d is %v; remove or impute non-finite features", i%d, i/d, v)
		}
	}
	return nil
}

// computer evaluates kernel entries. The hidden pre-activation kernels
// K^{t,s}(x_i, x_j) obey, for steps t, s ≥ 2,
//
//	K^{t,s} = σ_w² F_φ(q_i^{t-1}, q_j^{s-1}, K^{t-1,s-1}) + σ_w² G^{t,s}_{ij} + β_{ts} σ_b²,
//
// where q_i^t = K^{t,t}(x_i, x_i), G^{t,s} is the Gram matrix of the inputs at steps t
// and s, and β_{ts} is 1 when t = s or the bias is shared and 0 otherwise; K^{1,s} and
// K^{t,1} have no recurrent term. Each entry depends only on its predecessor at the same
// time lag s − t, so a pair of points is a few short chains, evaluated forward together
// with their derivatives with respect to σ_w² and σ_b².
type computer struct {
	a     Arch
	n     int
	steps int
	gram  *mat.SymDense // first-step input: x·x'/d
	xc    []float64     // every-step input: rows of steps·chunk features, scaled by chunk^{-1/2}
	chunk int
	// q, qw, qb hold the equal-time variances q_i^t and their derivatives, row-major n×steps.
	q, qw, qb []float64
	// series holds the Hermite expansions of every point and step when φ has no closed
	// form, laid out like q.
	series []seriesPoint
	grad   bool // derivatives are wanted
}

// pair returns the pair moments of point i at step t and point j at step s (1-based)
// with covariance k.
func (c *computer) pair(i, t, j, s int, k float64) models.PairMoments {
	qi, qj := i*c.steps+t-1, j*c.steps+s-1
	if c.series != nil {
		if p1, p2 := &c.series[qi], &c.series[qj]; p1.ok && p2.ok {
			if !c.grad {
				return models.PairMoments{F: seriesF(p1, p2, k)}
			}
			return seriesPair(p1, p2, k)
		}
	}
	return models.Pair(c.a.Phi, c.q[qi], c.q[qj], k)
}

// self returns the pair moment of a point with itself at variance q and its total
// derivative with respect to q.
func (c *computer) self(q float64) (f, df float64) {
	if closedForm(c.a.Phi) {
		m := models.Pair(c.a.Phi, q, q, q)
		return m.F, m.DQ1 + m.DQ2 + m.DC
	}
	return selfMoment(c.a.Phi, q)
}

// expandAll fills the Hermite expansions, all with the number of terms the slowest
// converging point needs, so that the truncation bound holds for every pair.
func (c *computer) expandAll(workers int) {
	if closedForm(c.a.Phi) {
		return
	}
	T := c.steps
	c.series = make([]seriesPoint, c.n*T)
	parallelRows(c.n, workers, func(i int) {
		for t := 0; t < T; t++ {
			c.series[i*T+t] = expand(c.a.Phi, c.q[i*T+t], 1)
		}
	})
	terms := 0
	for _, p := range c.series {
		if p.ok {
			terms = max(terms, len(p.a))
		}
	}
	parallelRows(c.n, workers, func(i int) {
		for t := 0; t < T; t++ {
			if p := &c.series[i*T+t]; p.ok && len(p.a) < terms {
				*p = expand(c.a.Phi, p.q, terms)
			}
		}
	})
}

func newComputer(a Arch, x []float64, d int) *computer {
	n := len(x) / d
	c := &computer{a: a, n: n, steps: a.Depth}
	if a.Kind == Recurrent && a.Input == EveryStep {
		c.chunk = (d + a.Depth - 1) / a.Depth
		w := c.chunk * a.Depth
		c.xc = make([]float64, n*w)
		s := 1 / math.Sqrt(float64(c.chunk))
		for i := 0; i < n; i++ {
			for f := 0; f < d; f++ {
				c.xc[i*w+f] = x[i*d+f] * s
			}
		}
		return c
	}
	c.gram = Gram(x, d)
	return c
}

// input returns the input Gram entry between x_i at step t and x_j at step s (1-based).
func (c *computer) input(i, j, t, s int) float64 {
	if c.xc == nil {
		if t == 1 && s == 1 {
			return c.gram.At(i, j)
		}
		return 0
	}
	w := c.chunk * c.steps
	xi := c.xc[i*w+(t-1)*c.chunk : i*w+t*c.chunk]
	xj := c.xc[j*w+(s-1)*c.chunk : j*w+s*c.chunk]
	var g float64
	for k, v := range xi {
		g += v * xj[k]
	}
	return g
}

func (c *computer) bias(t, s int) float64 {
	if t == s || c.a.Bias == Shared {
		return 1
	}
	return 0
}

// diagonals fills the equal-time variances of every point and their derivatives.
func (c *computer) diagonals(workers int) {
	T := c.steps
	c.q = make([]float64, c.n*T)
	c.qw = make([]float64, c.n*T)
	c.qb = make([]float64, c.n*T)
	w2, b2 := c.a.SigmaW2, c.a.SigmaB2
	parallelRows(c.n, workers, func(i int) {
		q, qw, qb := c.q[i*T:(i+1)*T], c.qw[i*T:(i+1)*T], c.qb[i*T:(i+1)*T]
		g := c.input(i, i, 1, 1)
		q[0], qw[0], qb[0] = w2*g+b2, g, 1
		for t := 1; t < T; t++ {
			f, df := c.self(q[t-1])
			g := c.input(i, i, t+1, t+1)
			// The same operations in the same order as in entry, so that the chain of a
			// point with itself reproduces q exactly and its correlation never exceeds 1.
			q[t] = w2*g + b2
			q[t] += w2 * f
			qw[t] = f + g + w2*df*qw[t-1]
			qb[t] = w2*df*qb[t-1] + 1
		}
	})
}

// entry returns the output kernel between points i and j and its two derivatives.
func (c *computer) entry(i, j int) (v, dw, db float64) {
	T := c.steps
	lo, hi := 0, 0
	if c.a.Kind == Recurrent && c.a.Readout == Sum {
		lo, hi = -(T - 1), T-1
	}
	w2, b2 := c.a.SigmaW2, c.a.SigmaB2
	var sf, sfw, sfb float64 // sums of F and its derivatives over the read-out steps
	for lag := lo; lag <= hi; lag++ {
		t0 := 1
		if lag < 0 {
			t0 = 1 - lag
		}
		var f, fw, fb float64 // F at the previous element of the chain
		for t := t0; t <= T && t+lag <= T; t++ {
			s := t + lag
			g := c.input(i, j, t, s)
			beta := c.bias(t, s)
			k, kw, kb := w2*g+beta*b2, g, beta
			if t > t0 {
				k += w2 * f
				kw += f + w2*fw
				kb += w2 * fb
			}
			qi, qj := i*T+t-1, j*T+s-1
			m := c.pair(i, t, j, s, k)
			f = m.F
			fw = m.DQ1*c.qw[qi] + m.DQ2*c.qw[qj] + m.DC*kw
			fb = m.DQ1*c.qb[qi] + m.DQ2*c.qb[qj] + m.DC*kb
			if lo != hi || t == T {
				sf, sfw, sfb = sf+f, sfw+fw, sfb+fb
			}
		}
	}
	scale := 1.0
	if lo != hi {
		scale = 1 / float64(T)
	}
	return scale*w2*sf + b2, scale * (sf + w2*sfw), scale*w2*sfb + 1
}

// parallelRows calls row(i) for i in [0, n) on workers goroutines. Rows are handed out
// in small blocks from a shared counter, since the rows of an upper triangle differ in
// length.
func parallelRows(n, workers int, row func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	const block = 8
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := int(next.Add(block)) - block
				if start >= n {
					return
				}
				for i := start; i < min(start+block, n); i++ {
					row(i)
				}
			}
		}()
	}
	wg.Wait()
}
