package infer

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
)

// Network is the fitted random-network model that predictions condition on
// (DESIGN.md §4), with one entry per population; an unlabelled recording is one
// population.
type Network struct {
	// Populations holds the population labels; a single "" for an unlabelled fit.
	Populations []string
	Phi         []models.Phi // transfer function of each population
	Tau         []float64    // time constant of each population, in the recording's time unit
	G2          [][]float64  // G2[a][b] = g_ab², strength of the input to population a from b
	D           []float64    // noise intensity of each population
	J0          [][]float64  // mean coupling J0_ab; nil means 0
	Mu          []float64    // bias of each population; nil means 0
	// Units are the units the fit was made on; nil skips the check that they are
	// units of the recording predicted.
	Units []string
}

// Prediction is a predictive distribution of held-out samples: for every unit and
// every predicted time the observed value and the Gaussian predictive mean and
// standard deviation. Values are unit-major, like data.Trial: unit i's are
// [i*len(Times) : (i+1)*len(Times)].
type Prediction struct {
	Units              []string
	Times              []float64
	Observed, Mean, SD []float64
	// Horizon is, for forecasts, how many conditioning spacings ahead of its origin
	// each time lies; nil for one-step predictions.
	Horizon []int
	// Constant lists the predicted units that are constant through the training
	// window. Nothing there says how much they vary, so their predictive variance is
	// at least the median variance of the recording's other units (see floorSD).
	Constant []string
}

// relNoiseFloor is the smallest predictive variance of a sample relative to the
// training-window variance of its unit. A predictor that fits its training window
// exactly (a unit constant there, an AR fit with a collinear history, a fitted noise
// intensity D = 0) would otherwise claim a precision no recording has, and one sample
// outside the interval would dominate the log predictive density (a unit constant in
// training once gave an AR noise variance of 1e-300 and an LPD of −1e301).
const relNoiseFloor = 1e-4

// unitScales are the training-window variances of a recording's units.
type unitScales struct {
	v       []float64 // variance of every unit of the recording over the training windows
	typical float64   // median of the positive ones
}

// trainScales returns the variances of every unit of rec over the windows.
func trainScales(rec *data.Recording, ws []window) (unitScales, error) {
	s := unitScales{v: make([]float64, rec.N())}
	var pos []float64
	for i := range s.v {
		var n, m, m2 float64
		for _, w := range ws {
			for _, x := range rec.Trials[w.trial].Unit(i)[w.lo:w.hi] {
				n++
				d := x - m
				m += d / n
				m2 += d * (x - m)
			}
		}
		s.v[i] = m2 / n
		// Rounding leaves a tiny variance for a constant series of non-representable
		// values; it is constant when the spread is at rounding level.
		if s.v[i] <= 1e-24*m*m {
			s.v[i] = 0
		}
		if s.v[i] > 0 {
			pos = append(pos, s.v[i])
		}
	}
	if len(pos) == 0 {
		return s, fmt.Errorf("infer: every unit is constant through the training window; there is nothing to learn from")
	}
	sort.Float64s(pos)
	s.typical = pos[len(pos)/2]
	return s, nil
}

// floorSD raises the predictive standard deviations of p, whose units are the
// recording's units targets, to the floor relNoiseFloor·v_i of their unit's training
// variance; a unit constant in training gets at least the typical variance of the
// recording's units and is listed in p.Constant.
func (p *Prediction) floorSD(s unitScales, targets []int) {
	p.Constant = nil
	for r, i := range targets {
		floor := relNoiseFloor * s.v[i]
		if s.v[i] == 0 {
			floor = s.typical
			p.Constant = append(p.Constant, p.Units[r])
		}
		floor = math.Sqrt(floor)
		sd := p.unitSlice(p.SD, r)
		for k, v := range sd {
			sd[k] = math.Max(v, floor)
		}
	}
}

// unitSlice returns unit i's part of v.
func (p *Prediction) unitSlice(v []float64, i int) []float64 {
	n := len(p.Times)
	return v[i*n : (i+1)*n]
}

func (n *Network) check() error {
	p := len(n.Populations)
	if p == 0 {
		return fmt.Errorf("infer: the network has no population; an unlabelled fit has one, labelled \"\"")
	}
	if len(n.Phi) != p || len(n.Tau) != p || len(n.G2) != p || len(n.D) != p ||
		(n.J0 != nil && len(n.J0) != p) || (n.Mu != nil && len(n.Mu) != p) {
		return fmt.Errorf("infer: the network's parameters do not all have one entry per population (%d)", p)
	}
	for a := 0; a < p; a++ {
		if n.Phi[a] == nil {
			return fmt.Errorf("infer: population %q has no transfer function", n.Populations[a])
		}
		if !(n.Tau[a] > 0) || math.IsInf(n.Tau[a], 0) {
			return fmt.Errorf("infer: population %q has time constant %v; it must be positive", n.Populations[a], n.Tau[a])
		}
		if !(n.D[a] >= 0) || math.IsInf(n.D[a], 0) {
			return fmt.Errorf("infer: population %q has noise intensity %v; it must be finite and ≥ 0", n.Populations[a], n.D[a])
		}
		if len(n.G2[a]) != p || (n.J0 != nil && len(n.J0[a]) != p) {
			return fmt.Errorf("infer: the coupling matrices need %d×%d entries", p, p)
		}
		for b := 0; b < p; b++ {
			if g := n.G2[a][b]; !(g >= 0) || math.IsInf(g, 0) {
				return fmt.Errorf("infer: g² from %q to %q is %v; it must be finite and ≥ 0", n.Populations[b], n.Populations[a], g)
			}
		}
	}
	return nil
}

// unitPops returns the population index of every unit of rec, checking that the
// recording is one the network applies to.
func (n *Network) unitPops(rec *data.Recording) ([]int, error) {
	if err := n.check(); err != nil {
		return nil, err
	}
	if n.Units != nil {
		have := make(map[string]bool, len(rec.Units))
		for _, u := range rec.Units {
			have[u] = true
		}
		var missing []string
		for _, u := range n.Units {
			if !have[u] {
				missing = append(missing, u)
			}
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("infer: %d of the %d units the fit was made on are not in the recording (%s): "+
				"the fit is from a different recording or a different unit selection; refit on this recording",
				len(missing), len(n.Units), abbreviate(missing, 5))
		}
	}
	pops := make([]int, rec.N())
	if len(n.Populations) == 1 {
		// One population applies to every unit, whatever the recording's labels.
		return pops, nil
	}
	if rec.Populations == nil {
		return nil, fmt.Errorf("infer: the fit has populations %s but the recording has no population labels; "+
			"read it with --populations COL (the column or metadata key of the labels)", strings.Join(n.Populations, ", "))
	}
	index := make(map[string]int, len(n.Populations))
	for a, l := range n.Populations {
		index[l] = a
	}
	for i, l := range rec.Populations {
		a, ok := index[l]
		if !ok {
			return nil, fmt.Errorf("infer: unit %q has population %q, which the fit does not have (it has %s)",
				rec.Units[i], l, strings.Join(n.Populations, ", "))
		}
		pops[i] = a
	}
	return pops, nil
}

func abbreviate(s []string, k int) string {
	if len(s) <= k {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:k], ", ") + fmt.Sprintf(" and %d more", len(s)-k)
}

// window is the part [Lo, Hi) of trial Trial.
type window struct{ trial, lo, hi int }

// splitTime returns the training and test windows when the last fraction frac of
// every trial is held out, checking that both keep at least minTrain and minTest
// samples.
func splitTime(rec *data.Recording, frac float64, minTrain, minTest int) (train, test []window, err error) {
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("infer: test fraction %v must lie strictly between 0 and 1", frac)
	}
	for t, tr := range rec.Trials {
		cut := tr.Len - int(math.Round(frac*float64(tr.Len)))
		if cut < minTrain || tr.Len-cut < minTest {
			return nil, nil, fmt.Errorf("infer: trial %d has %d samples; a test fraction of %v leaves %d for training and %d for testing, "+
				"and at least %d and %d are needed", t, tr.Len, frac, cut, tr.Len-cut, minTrain, minTest)
		}
		train = append(train, window{t, 0, cut})
		test = append(test, window{t, cut, tr.Len})
	}
	return train, test, nil
}

// StepOptions controls PredictStep.
type StepOptions struct {
	// TestFrac is the fraction at the end of every trial that is predicted; the rest
	// is the training window. Default 0.2.
	TestFrac float64
	// Units are the names of the units to predict; nil predicts every unit. Units
	// left out of the fit (held-out units) are predicted the same way: their training
	// window forms only their own posterior.
	Units []string
	// Workers bounds the parallel work (default 1).
	Workers int
}

// varianceFloor is the smallest prior variance of a coupling, relative to 1: a zero
// g_ab² pins the coupling to its prior mean, which a tiny variance does without a
// special case in the algebra.
const varianceFloor = 1e-12

// biasVariance is the prior variance of a unit's bias, relative to the mean square of
// the residuals: broad enough to let the training window decide.
const biasVariance = 1e4

// withOnes returns f with a row of ones appended.
func withOnes(f *mat.Dense) *mat.Dense {
	n, t := f.Dims()
	g := mat.NewDense(n+1, t, nil)
	g.Slice(0, n, 0, t).(*mat.Dense).Copy(f)
	row := g.RawRowView(n)
	for k := range row {
		row[k] = 1
	}
	return g
}

// PredictStep predicts every sample of the test window one step ahead from the
// population at the step before (DESIGN.md §4, prediction 1): the posterior of each
// unit's coupling row given its training window (prior mean J0_ab/N_b, variance
// g_ab²/N_b, noise 2D_a/a on the residual), then the Gaussian predictive of
// x_i[k+1] = (1−a)x_i[k] + a(μ_a + J_i·φ(x[k])) + √(2D_a a) ε. The recorded units are
// taken to be the whole network (N_b counts the recorded units of population b).
// When the network has no bias μ (Mu nil, as from the spectral fit, which does not see
// means), every unit gets its own bias with a broad prior, learnt from its training
// window.
//
// A noise intensity of 0 would make the posterior degenerate; it is floored at 1e-10
// of the residual's mean square.
func PredictStep(rec *data.Recording, net *Network, opt StepOptions) (*Prediction, error) {
	pops, err := net.unitPops(rec)
	if err != nil {
		return nil, err
	}
	if opt.TestFrac == 0 {
		opt.TestFrac = 0.2
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	targets, err := unitIndices(rec, opt.Units)
	if err != nil {
		return nil, err
	}
	train, test, err := splitTime(rec, opt.TestFrac, 3, 1)
	if err != nil {
		return nil, err
	}
	n := rec.N()
	npop := len(net.Populations)
	size := make([]float64, npop)
	for _, a := range pops {
		size[a]++
	}
	steps := make([]float64, npop)
	for a := range steps {
		steps[a] = rec.Step / net.Tau[a]
	}
	// Training design: φ(x[k]) for every transition k → k+1 inside the training window.
	f := design(rec, net, pops, train, true)
	testDesign := design(rec, net, pops, test, false)
	// Without a fitted bias (the spectral fit does not see means) each unit gets its
	// own, learnt from its training window under a broad prior: a constant regressor.
	bias := net.Mu == nil
	if bias {
		f, testDesign = withOnes(f), withOnes(testDesign)
	}
	gram := likelihood.Gram(f)
	_, ttr := f.Dims()
	_, tte := testDesign.Dims()

	p := &Prediction{Times: testTimes(rec, test)}
	p.Units = make([]string, len(targets))
	p.Observed = make([]float64, len(targets)*tte)
	p.Mean = make([]float64, len(targets)*tte)
	p.SD = make([]float64, len(targets)*tte)
	for r, i := range targets {
		p.Units[r] = rec.Units[i]
	}
	for a := 0; a < npop; a++ {
		var rows []int // rows of p predicted with population a
		for r, i := range targets {
			if pops[i] == a {
				rows = append(rows, r)
			}
		}
		if len(rows) == 0 {
			continue
		}
		step := steps[a]
		y := mat.NewDense(len(rows), ttr, nil)
		ms := 0.0
		mu := 0.0
		if net.Mu != nil {
			mu = net.Mu[a]
		}
		for q, r := range rows {
			row := y.RawRowView(q)
			residuals(row, rec, targets[r], train, true, step, mu)
			ms += meanSquare(row)
		}
		noise := math.Max(2*net.D[a]/step, 1e-10*ms/float64(len(rows)))
		m, v := make([]float64, n), make([]float64, n)
		for j, b := range pops {
			if net.J0 != nil {
				m[j] = net.J0[a][b] / size[b]
			}
			v[j] = math.Max(net.G2[a][b], varianceFloor) / size[b]
		}
		if bias {
			m = append(m, 0)
			v = append(v, biasVariance*(1+ms/float64(len(rows))))
		}
		var fy mat.Dense
		fy.Mul(f, y.T())
		blr, err := likelihood.NewBLR(gram, &fy, m, v, noise)
		if err != nil {
			return nil, fmt.Errorf("infer: population %q: %w", net.Populations[a], err)
		}
		mean := mat.NewDense(len(rows), tte, nil)
		wvar := make([]float64, tte)
		predictBlocks(blr, testDesign, mean, wvar, opt.Workers)
		for q, r := range rows {
			i := targets[r]
			obs, mx, sd := p.unitSlice(p.Observed, r), p.unitSlice(p.Mean, r), p.unitSlice(p.SD, r)
			k := 0
			for _, w := range test {
				x := rec.Trials[w.trial].Unit(i)
				for s := w.lo; s < w.hi; s++ {
					obs[k] = x[s]
					mx[k] = (1-step)*x[s-1] + step*(mu+mean.At(q, k))
					sd[k] = step * math.Sqrt(wvar[k]+noise)
					k++
				}
			}
		}
	}
	scales, err := trainScales(rec, train)
	if err != nil {
		return nil, err
	}
	p.floorSD(scales, targets)
	return p, nil
}

// predictBlocks runs blr.Predict over blocks of test samples, so that the triangular
// solve's workspace stays small and the blocks run in parallel.
func predictBlocks(blr *likelihood.BLR, fs, mean *mat.Dense, wvar []float64, workers int) {
	const block = 1024
	_, t := fs.Dims()
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for lo := 0; lo < t; lo += block {
		hi := min(lo+block, t)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			blr.Predict(fs.Slice(0, fs.RawMatrix().Rows, lo, hi).(*mat.Dense),
				mean.Slice(0, mean.RawMatrix().Rows, lo, hi).(*mat.Dense), wvar[lo:hi])
		}()
	}
	wg.Wait()
}

// unitIndices maps names to unit indices of rec; nil names gives every unit.
func unitIndices(rec *data.Recording, names []string) ([]int, error) {
	if names == nil {
		idx := make([]int, rec.N())
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	index := make(map[string]int, rec.N())
	for i, u := range rec.Units {
		index[u] = i
	}
	idx := make([]int, 0, len(names))
	for _, u := range names {
		i, ok := index[u]
		if !ok {
			return nil, fmt.Errorf("infer: unit %q to predict is not in the recording", u)
		}
		idx = append(idx, i)
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("infer: no unit to predict")
	}
	return idx, nil
}

// design returns φ(x[k]) (units × samples) at the start k of every transition k → k+1
// in the windows: for training windows the transitions inside [lo, hi), for test
// windows those ending inside [lo, hi).
func design(rec *data.Recording, net *Network, pops []int, ws []window, inside bool) *mat.Dense {
	total := 0
	for _, w := range ws {
		total += transitions(w, inside)
	}
	f := mat.NewDense(rec.N(), total, nil)
	for j := 0; j < rec.N(); j++ {
		phi := net.Phi[pops[j]]
		row := f.RawRowView(j)
		k := 0
		for _, w := range ws {
			x := rec.Trials[w.trial].Unit(j)
			lo := w.lo
			if !inside {
				lo--
			}
			for s := lo; s < lo+transitions(w, inside); s++ {
				row[k] = phi.Eval(x[s])
				k++
			}
		}
	}
	return f
}

func transitions(w window, inside bool) int {
	if inside {
		return w.hi - w.lo - 1
	}
	return w.hi - w.lo
}

// residuals stores y[k] = (x[k+1] − (1−a)x[k])/a − μ of unit i over the transitions of
// the windows in dst.
func residuals(dst []float64, rec *data.Recording, i int, ws []window, inside bool, a, mu float64) {
	k := 0
	for _, w := range ws {
		x := rec.Trials[w.trial].Unit(i)
		lo := w.lo
		if !inside {
			lo--
		}
		for s := lo; s < lo+transitions(w, inside); s++ {
			dst[k] = (x[s+1]-(1-a)*x[s])/a - mu
			k++
		}
	}
}

func meanSquare(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s / float64(len(v))
}

// testTimes returns the times of the samples of the windows.
func testTimes(rec *data.Recording, ws []window) []float64 {
	var t []float64
	for _, w := range ws {
		tr := rec.Trials[w.trial]
		for s := w.lo; s < w.hi; s++ {
			t = append(t, tr.Start+float64(s)*rec.Step)
		}
	}
	return t
}
