package infer

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// BaselineOptions controls the baseline predictors AR and Ridge.
type BaselineOptions struct {
	// TestFrac and Units are as in StepOptions: the same split as the model's.
	TestFrac float64
	Units    []string
	// MaxOrder is the largest AR order tried (default 10).
	MaxOrder int
	// Folds is the number of contiguous cross-validation folds of Ridge (default 5).
	Folds   int
	Workers int
}

func (o BaselineOptions) withDefaults() BaselineOptions {
	if o.TestFrac == 0 {
		o.TestFrac = 0.2
	}
	if o.MaxOrder == 0 {
		o.MaxOrder = 10
	}
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.Workers < 1 {
		o.Workers = 1
	}
	return o
}

// AR predicts every sample of the test window one step ahead by a per-unit
// autoregression x[k] = c + Σ_{j=1..p} b_j x[k−j] + ε fitted by least squares on the
// training window, with the Gaussian predictive of the fitted noise variance. With
// order > 0 the order is fixed; with order 0 it is chosen among 1 … MaxOrder by the
// log-likelihood of the last fifth of the training window under a fit to the rest, then
// refitted on the whole training window. It returns the order of every unit.
func AR(rec *data.Recording, order int, opt BaselineOptions) (*Prediction, []int, error) {
	opt = opt.withDefaults()
	maxP := max(order, opt.MaxOrder)
	targets, err := unitIndices(rec, opt.Units)
	if err != nil {
		return nil, nil, err
	}
	train, test, err := splitTime(rec, opt.TestFrac, 5*(maxP+2), 1)
	if err != nil {
		return nil, nil, err
	}
	scales, err := trainScales(rec, train)
	if err != nil {
		return nil, nil, err
	}
	p := newPrediction(rec, targets, test)
	orders := make([]int, len(targets))
	valid, fitPart := make([]window, len(train)), make([]window, len(train))
	for i, w := range train {
		cut := w.hi - (w.hi-w.lo)/5
		fitPart[i] = window{w.trial, w.lo, cut}
		valid[i] = window{w.trial, cut, w.hi}
	}
	parallelFor(len(targets), opt.Workers, func(r int) {
		i := targets[r]
		ord := order
		if ord == 0 {
			best := math.Inf(-1)
			for q := 1; q <= maxP; q++ {
				c, s2 := arFit(rec, i, q, fitPart)
				if ll := arLogLik(rec, i, c, s2, valid); ll > best {
					best, ord = ll, q
				}
			}
		}
		orders[r] = ord
		c, s2 := arFit(rec, i, ord, train)
		obs, mean, sd := p.unitSlice(p.Observed, r), p.unitSlice(p.Mean, r), p.unitSlice(p.SD, r)
		k := 0
		for _, w := range test {
			x := rec.Trials[w.trial].Unit(i)
			for s := w.lo; s < w.hi; s++ {
				obs[k], mean[k], sd[k] = x[s], arMean(x, s, c), math.Sqrt(s2)
				k++
			}
		}
	})
	p.floorSD(scales, targets)
	return p, orders, nil
}

// arFit fits an AR(q) with intercept to unit i on the windows by least squares; it
// returns the coefficients (intercept first) and the noise variance RSS/(n − q − 1).
func arFit(rec *data.Recording, i, q int, ws []window) ([]float64, float64) {
	n := 0
	for _, w := range ws {
		n += max(w.hi-w.lo-q, 0)
	}
	x := mat.NewDense(n, q+1, nil)
	y := mat.NewVecDense(n, nil)
	r := 0
	for _, w := range ws {
		u := rec.Trials[w.trial].Unit(i)
		for s := w.lo + q; s < w.hi; s++ {
			row := x.RawRowView(r)
			row[0] = 1
			for j := 1; j <= q; j++ {
				row[j] = u[s-j]
			}
			y.SetVec(r, u[s])
			r++
		}
	}
	var c mat.VecDense
	if err := c.SolveVec(x, y); err != nil {
		// A constant or collinear series: predict its mean.
		c = *mat.NewVecDense(q+1, nil)
		c.SetVec(0, mat.Sum(y)/float64(n))
	}
	var res mat.VecDense
	res.MulVec(x, &c)
	res.SubVec(y, &res)
	s2 := mat.Dot(&res, &res) / float64(max(n-q-1, 1))
	// An exact fit (a collinear history) has no noise to speak of: floor it relative
	// to the target's variance. A target constant over the fitted samples keeps 0,
	// which says nothing about its scale: floorSD replaces it by the recording's
	// typical variance.
	return c.RawVector().Data, math.Max(s2, relNoiseFloor*stat.Variance(y.RawVector().Data, nil))
}

// arMean returns the AR prediction of x[s] from the samples before it.
func arMean(x []float64, s int, c []float64) float64 {
	m := c[0]
	for j := 1; j < len(c); j++ {
		m += c[j] * x[s-j]
	}
	return m
}

func arLogLik(rec *data.Recording, i int, c []float64, s2 float64, ws []window) float64 {
	if s2 == 0 {
		// A constant unit: every order predicts it exactly, and the lowest is chosen.
		return 0
	}
	ll := 0.0
	for _, w := range ws {
		x := rec.Trials[w.trial].Unit(i)
		for s := w.lo; s < w.hi; s++ {
			e := x[s] - arMean(x, s, c)
			ll += -0.5*e*e/s2 - 0.5*math.Log(2*math.Pi*s2)
		}
	}
	return ll
}

// Ridge predicts every sample of the test window one step ahead by ridge regression
// of each unit's residual y_i[k] = (x_i[k+1] − (1−a)x_i[k])/a on φ(x_j[k]) of all units
// j, with an unpenalised intercept: the network model of PredictStep with its prior
// replaced by a penalty chosen by cross-validation over contiguous folds of the
// training window, one penalty shared by all units. φ and a come from net (nil: φ the
// identity and a = 1, a plain linear regression of x[k+1] on x[k]); its g², D are not
// used. The predictive sd is each unit's cross-validated residual sd. It returns the
// chosen penalty, in the units of the Gram matrix Σ_k φ_j φ_l.
//
// Each fold costs one eigendecomposition of the N×N Gram matrix; the validation error
// of every penalty then follows in O(N²) from it, without refactoring.
func Ridge(rec *data.Recording, net *Network, opt BaselineOptions) (*Prediction, float64, error) {
	opt = opt.withDefaults()
	if net == nil {
		net = &Network{Populations: []string{""}, Phi: []models.Phi{models.Linear{}}, Tau: []float64{rec.Step},
			G2: [][]float64{{1}}, D: []float64{1}}
	}
	pops, err := net.unitPops(rec)
	if err != nil {
		return nil, 0, err
	}
	targets, err := unitIndices(rec, opt.Units)
	if err != nil {
		return nil, 0, err
	}
	train, test, err := splitTime(rec, opt.TestFrac, 2*opt.Folds+3, 1)
	if err != nil {
		return nil, 0, err
	}
	f := design(rec, net, pops, train, true)
	n, ttr := f.Dims()
	if ttr < 2*opt.Folds {
		return nil, 0, fmt.Errorf("infer: ridge: %d training transitions are too few for %d folds", ttr, opt.Folds)
	}
	steps := make([]float64, len(targets))
	y := mat.NewDense(len(targets), ttr, nil)
	for r, i := range targets {
		steps[r] = rec.Step / net.Tau[pops[i]]
		residuals(y.RawRowView(r), rec, i, train, true, steps[r], 0)
	}
	folds := make([]*ridgeFold, opt.Folds)
	for k := range folds {
		if folds[k], err = newRidgeFold(f, y, k*ttr/opt.Folds, (k+1)*ttr/opt.Folds); err != nil {
			return nil, 0, err
		}
	}
	grid := ridgeGrid(f)
	best, bestSSE := 0, math.Inf(1)
	for l, lam := range grid {
		sse := 0.0
		for _, rf := range folds {
			sse += rf.sse(lam)
		}
		if sse < bestSSE {
			best, bestSSE = l, sse
		}
	}
	unitSSE := make([]float64, len(targets))
	for _, rf := range folds {
		rf.unitSSE(unitSSE, grid[best])
	}
	lambda := grid[best]
	w, mf, my, err := ridgeSolve(f, y, 0, 0, lambda)
	if err != nil {
		return nil, 0, err
	}
	ft := design(rec, net, pops, test, false)
	for j := 0; j < n; j++ {
		row := ft.RawRowView(j)
		for k := range row {
			row[k] -= mf[j]
		}
	}
	var yt mat.Dense
	yt.Mul(w.T(), ft)
	p := newPrediction(rec, targets, test)
	for r, i := range targets {
		a := steps[r]
		sd := a * math.Sqrt(math.Max(unitSSE[r], 0)/float64(ttr))
		obs, mean, s := p.unitSlice(p.Observed, r), p.unitSlice(p.Mean, r), p.unitSlice(p.SD, r)
		k := 0
		for _, win := range test {
			x := rec.Trials[win.trial].Unit(i)
			for t := win.lo; t < win.hi; t++ {
				obs[k] = x[t]
				mean[k] = (1-a)*x[t-1] + a*(my[r]+yt.At(r, k))
				s[k] = sd
				k++
			}
		}
	}
	scales, err := trainScales(rec, train)
	if err != nil {
		return nil, 0, err
	}
	p.floorSD(scales, targets)
	return p, lambda, nil
}

// ridgeGrid returns the penalties tried: 10⁻⁶ … 10⁴ times the mean eigenvalue of the
// Gram matrix, four per decade.
func ridgeGrid(f *mat.Dense) []float64 {
	n, _ := f.Dims()
	tr := 0.0
	for j := 0; j < n; j++ {
		tr += floats.Dot(f.RawRowView(j), f.RawRowView(j))
	}
	scale := tr / float64(n)
	var g []float64
	for e := -24; e <= 16; e++ {
		g = append(g, scale*math.Pow(10, float64(e)/4))
	}
	return g
}

// ridgeFold holds what the validation error of one fold needs for any penalty: the
// eigenvalues s of the training Gram matrix, Z = Vᵀ F Yᵀ, M1 = A Eᵀ and M2 = A Aᵀ with
// A = Vᵀ F_val and E the centred validation targets, and ‖E_u‖².
type ridgeFold struct {
	s      []float64
	z, m1  *mat.Dense
	m2, zz *mat.Dense
	ee     []float64
}

// newRidgeFold prepares the fold validating on columns [lo, hi): one
// eigendecomposition of the Gram matrix of the other columns.
func newRidgeFold(f, y *mat.Dense, lo, hi int) (*ridgeFold, error) {
	n, _ := f.Dims()
	u, _ := y.Dims()
	fc, yc, mf, my := centredExcept(f, y, lo, hi)
	var g mat.SymDense
	g.SymOuterK(1, fc)
	var eig mat.EigenSym
	if !eig.Factorize(&g, true) {
		return nil, fmt.Errorf("infer: ridge: eigendecomposition of the Gram matrix failed")
	}
	rf := &ridgeFold{s: eig.Values(nil), z: &mat.Dense{}, m1: &mat.Dense{}, m2: &mat.Dense{}, zz: &mat.Dense{}}
	var v, fy mat.Dense
	eig.VectorsTo(&v)
	fy.Mul(fc, yc.T())
	rf.z.Mul(v.T(), &fy)
	fv := mat.DenseCopyOf(f.Slice(0, n, lo, hi))
	ev := mat.DenseCopyOf(y.Slice(0, u, lo, hi))
	subRows(fv, mf)
	subRows(ev, my)
	var a mat.Dense
	a.Mul(v.T(), fv)
	rf.m1.Mul(&a, ev.T())
	rf.m2.Mul(&a, a.T())
	rf.zz.Mul(rf.z, rf.z.T())
	rf.ee = make([]float64, u)
	for r := range rf.ee {
		e := ev.RawRowView(r)
		rf.ee[r] = floats.Dot(e, e)
	}
	return rf, nil
}

func (rf *ridgeFold) shrink(lambda float64) []float64 {
	d := make([]float64, len(rf.s))
	for k, s := range rf.s {
		d[k] = 1 / (math.Max(s, 0) + lambda)
	}
	return d
}

// sse returns the validation error summed over units, in O(N² + NU):
// Σ‖E_u‖² − 2 Σ_k d_k Σ_u Z_ku M1_ku + Σ_kl d_k d_l (ZZᵀ)_kl M2_kl.
func (rf *ridgeFold) sse(lambda float64) float64 {
	d := rf.shrink(lambda)
	n, u := rf.z.Dims()
	s := floats.Sum(rf.ee)
	for k := 0; k < n; k++ {
		s -= 2 * d[k] * floats.Dot(rf.z.RawRowView(k)[:u], rf.m1.RawRowView(k)[:u])
		zz, m2 := rf.zz.RawRowView(k), rf.m2.RawRowView(k)
		acc := 0.0
		for l := 0; l < n; l++ {
			acc += d[l] * zz[l] * m2[l]
		}
		s += d[k] * acc
	}
	return s
}

// unitSSE adds every unit's validation error at penalty lambda to dst.
func (rf *ridgeFold) unitSSE(dst []float64, lambda float64) {
	d := rf.shrink(lambda)
	dz := mat.DenseCopyOf(rf.z)
	for k := range d {
		floats.Scale(d[k], dz.RawRowView(k))
	}
	var q mat.Dense
	q.Mul(rf.m2, dz)
	n, _ := dz.Dims()
	for r := range dst {
		se := rf.ee[r]
		for k := 0; k < n; k++ {
			se += dz.At(k, r) * (q.At(k, r) - 2*rf.m1.At(k, r))
		}
		dst[r] += se
	}
}

// ridgeSolve fits the ridge regression on the columns outside [lo, hi) and returns the
// weights (N×U) and the column means of the design and targets used to centre them.
func ridgeSolve(f, y *mat.Dense, lo, hi int, lambda float64) (*mat.Dense, []float64, []float64, error) {
	fc, yc, mf, my := centredExcept(f, y, lo, hi)
	n, _ := fc.Dims()
	g := mat.NewSymDense(n, nil)
	g.SymOuterK(1, fc)
	for j := 0; j < n; j++ {
		g.SetSym(j, j, g.At(j, j)+lambda)
	}
	var ch mat.Cholesky
	if !ch.Factorize(g) {
		return nil, nil, nil, fmt.Errorf("infer: ridge: penalised Gram matrix not positive definite")
	}
	var fy, w mat.Dense
	fy.Mul(fc, yc.T())
	if err := ch.SolveTo(&w, &fy); err != nil {
		return nil, nil, nil, err
	}
	return &w, mf, my, nil
}

// centredExcept returns copies of f and y without columns [lo, hi), each row centred,
// and the row means removed.
func centredExcept(f, y *mat.Dense, lo, hi int) (fc, yc *mat.Dense, mf, my []float64) {
	drop := func(m *mat.Dense) (*mat.Dense, []float64) {
		r, c := m.Dims()
		out := mat.NewDense(r, c-(hi-lo), nil)
		means := make([]float64, r)
		for i := 0; i < r; i++ {
			src, dst := m.RawRowView(i), out.RawRowView(i)
			copy(dst, src[:lo])
			copy(dst[lo:], src[hi:])
			s := 0.0
			for _, x := range dst {
				s += x
			}
			means[i] = s / float64(len(dst))
			for k := range dst {
				dst[k] -= means[i]
			}
		}
		return out, means
	}
	fc, mf = drop(f)
	yc, my = drop(y)
	return fc, yc, mf, my
}

func subRows(m *mat.Dense, means []float64) {
	for i, mu := range means {
		row := m.RawRowView(i)
		for k := range row {
			row[k] -= mu
		}
	}
}

// newPrediction allocates a prediction of the target units over the test windows.
func newPrediction(rec *data.Recording, targets []int, test []window) *Prediction {
	p := &Prediction{Times: testTimes(rec, test), Units: make([]string, len(targets))}
	for r, i := range targets {
		p.Units[r] = rec.Units[i]
	}
	m := len(targets) * len(p.Times)
	p.Observed, p.Mean, p.SD = make([]float64, m), make([]float64, m), make([]float64, m)
	return p
}

// parallelFor calls f(0) … f(n−1) on at most workers goroutines.
func parallelFor(n, workers int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
