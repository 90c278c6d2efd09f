package infer

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/integrate/quad"
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
	// Constant lists the predicted units whose training data say nothing about how
	// much they vary: constant through the training window, or, for a per-unit
	// predictor (AR), predicted exactly on every sample it was fitted on (a unit
	// silent after its first sample). Their predictive variance is at least the median
	// variance of the recording's units (see floorSD).
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
// variance. A unit constant in training, or one its predictor gave a standard
// deviation of exactly 0 (no estimate of its variability), gets at least the typical
// variance of the recording's units and is listed in p.Constant.
func (p *Prediction) floorSD(s unitScales, targets []int) {
	p.Constant = nil
	for r, i := range targets {
		sd := p.unitSlice(p.SD, r)
		floor := relNoiseFloor * s.v[i]
		if s.v[i] == 0 || floats.Max(sd) == 0 {
			floor = s.typical
			p.Constant = append(p.Constant, p.Units[r])
		}
		floor = math.Sqrt(floor)
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
	// Ahead is how many steps ahead each sample is predicted, from the population
	// Ahead steps before it (default 1; see PredictStep for what is approximated
	// beyond one step).
	Ahead int
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

// hermiteNodes and hermiteWeights are the 20-point Gauss–Hermite rule for the
// weight e^{−z²}, normalised so that the weights sum to 1.
var hermiteNodes, hermiteWeights = func() ([]float64, []float64) {
	x, w := make([]float64, 20), make([]float64, 20)
	quad.Hermite{}.FixedLocations(x, w, math.Inf(-1), math.Inf(1))
	floats.Scale(1/floats.Sum(w), w)
	return x, w
}()

// gaussPhi returns the mean and variance of φ(x) for x ~ N(m, v).
func gaussPhi(phi models.Phi, m, v float64) (mean, variance float64) {
	if !(v > 0) {
		return phi.Eval(m), 0
	}
	s := math.Sqrt(2 * v)
	var e1, e2 float64
	for j, z := range hermiteNodes {
		f := phi.Eval(m + s*z)
		e1 += hermiteWeights[j] * f
		e2 += hermiteWeights[j] * f * f
	}
	return e1, math.Max(e2-e1*e1, 0)
}

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
// With opt.Ahead = h > 1 each sample x[k+h] is predicted from the population at k by
// iterating the network with the posterior-mean couplings on E[φ(x)] of the predicted
// Gaussian states, and propagating the errors' covariance over the steps (see ahead).
// What this approximates (mean-field theory, exact as N → ∞): the state of each unit
// as Gaussian; the errors of different units as independent of each other and of the
// coupling rows, so that the input error Σ_l J_il δφ_l has the variance
// Σ_b g_ab²/N_b Σ_{l∈b} Var δφ_l averaged over the couplings; the correlation over steps
// of a population's φ errors through a per-step gain; and the coupling errors'
// covariance between two steps by the geometric mean of their variances. All units
// are iterated, whichever are reported. On simulated data the intervals stay
// calibrated to 10 steps (2τ) ahead (TestPredictStepAheadCalibration).
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
	if opt.Ahead == 0 {
		opt.Ahead = 1
	}
	if opt.Ahead < 1 {
		return nil, fmt.Errorf("infer: steps ahead must be positive, got %d", opt.Ahead)
	}
	if opt.Workers < 1 {
		opt.Workers = 1
	}
	targets, err := unitIndices(rec, opt.Units)
	if err != nil {
		return nil, err
	}
	train, test, err := splitTime(rec, opt.TestFrac, max(3, opt.Ahead+1), 1)
	if err != nil {
		return nil, err
	}
	modelled := targets
	if opt.Ahead > 1 {
		// Iterating the network needs every unit's couplings.
		modelled, _ = unitIndices(rec, nil)
	}
	post, err := newPosterior(rec, net, pops, train, modelled)
	if err != nil {
		return nil, err
	}
	st := &ahead{mean: origins(rec, test, opt.Ahead)}
	for h := 0; h < opt.Ahead; h++ {
		st = post.advance(st, opt.Workers)
	}
	p := stepPrediction(rec, test, targets, post, st)
	scales, err := trainScales(rec, train)
	if err != nil {
		return nil, err
	}
	p.floorSD(scales, targets)
	return p, nil
}

// origins returns, for every unit and every sample of the test windows, the recorded
// value h steps before it.
func origins(rec *data.Recording, test []window, h int) *mat.Dense {
	n := 0
	for _, w := range test {
		n += w.hi - w.lo
	}
	x0 := mat.NewDense(rec.N(), n, nil)
	for i := 0; i < rec.N(); i++ {
		row := x0.RawRowView(i)[:0]
		for _, w := range test {
			row = append(row, rec.Trials[w.trial].Unit(i)[w.lo-h:w.hi-h]...)
		}
	}
	return x0
}

// stepPrediction lays out the predicted means and variances of st for the target
// units over the test windows.
func stepPrediction(rec *data.Recording, test []window, targets []int, post *posterior, st *ahead) *Prediction {
	p := &Prediction{Times: testTimes(rec, test), Units: make([]string, len(targets))}
	for r, i := range targets {
		p.Units[r] = rec.Units[i]
	}
	tte := len(p.Times)
	vars := mat.NewDense(rec.N(), tte, nil)
	for i := 0; i < rec.N(); i++ {
		vr := vars.RawRowView(i)
		for k := range vr {
			vr[k] = st.variance(post, post.pops[i], k)
		}
	}
	// With every unit predicted in order, the unit-major means and variances are the
	// prediction's layout already: reuse them rather than copy (1000 units × 20,000
	// samples are 160 MB each).
	identity := len(targets) == rec.N()
	for r, i := range targets {
		identity = identity && r == i
	}
	if identity {
		p.Mean, p.SD = st.mean.RawMatrix().Data, vars.RawMatrix().Data
	} else {
		p.Mean, p.SD = make([]float64, len(targets)*tte), make([]float64, len(targets)*tte)
		for r, i := range targets {
			copy(p.unitSlice(p.Mean, r), st.mean.RawRowView(i))
			copy(p.unitSlice(p.SD, r), vars.RawRowView(i))
		}
	}
	for k, v := range p.SD {
		p.SD[k] = math.Sqrt(v)
	}
	p.Observed = make([]float64, 0, len(targets)*tte)
	for _, i := range targets {
		for _, w := range test {
			p.Observed = append(p.Observed, rec.Trials[w.trial].Unit(i)[w.lo:w.hi]...)
		}
	}
	return p
}

// posterior is the posterior of the coupling rows of the modelled units, one shared
// factorisation per population.
type posterior struct {
	net     *Network
	pops    []int
	size    []float64 // recorded units per population
	steps   []float64 // a = Δ/τ per population
	bias    bool      // a constant regressor for each unit's own bias
	groups  []popGroup
	rowOf   []int // rowOf[i]: row of unit i in its group's posterior, −1 if not modelled
	groupOf []int // population of unit i's group
}

type popGroup struct {
	units []int
	blr   *likelihood.BLR
	noise float64
	mu    float64
}

func newPosterior(rec *data.Recording, net *Network, pops []int, train []window, modelled []int) (*posterior, error) {
	npop := len(net.Populations)
	ps := &posterior{net: net, pops: pops, size: make([]float64, npop), steps: make([]float64, npop),
		bias: net.Mu == nil, groups: make([]popGroup, npop), rowOf: make([]int, rec.N())}
	for _, a := range pops {
		ps.size[a]++
	}
	for a := range ps.steps {
		ps.steps[a] = rec.Step / net.Tau[a]
	}
	for i := range ps.rowOf {
		ps.rowOf[i] = -1
	}
	for _, i := range modelled {
		g := &ps.groups[pops[i]]
		ps.rowOf[i] = len(g.units)
		g.units = append(g.units, i)
	}
	// Training design: φ(x[k]) for every transition k → k+1 inside the training window.
	f := design(rec, net, pops, train, true)
	if ps.bias {
		f = withOnes(f)
	}
	gram := likelihood.Gram(f)
	_, ttr := f.Dims()
	n := rec.N()
	for a := range ps.groups {
		g := &ps.groups[a]
		if len(g.units) == 0 {
			continue
		}
		if net.Mu != nil {
			g.mu = net.Mu[a]
		}
		y := mat.NewDense(len(g.units), ttr, nil)
		ms := 0.0
		for q, i := range g.units {
			row := y.RawRowView(q)
			residuals(row, rec, i, train, true, ps.steps[a], g.mu)
			ms += meanSquare(row)
		}
		ms /= float64(len(g.units))
		g.noise = math.Max(2*net.D[a]/ps.steps[a], 1e-10*ms)
		m, v := make([]float64, n), make([]float64, n)
		for j, b := range pops {
			if net.J0 != nil {
				m[j] = net.J0[a][b] / ps.size[b]
			}
			v[j] = math.Max(net.G2[a][b], varianceFloor) / ps.size[b]
		}
		if ps.bias {
			m = append(m, 0)
			v = append(v, biasVariance*(1+ms))
		}
		var fy mat.Dense
		fy.Mul(f, y.T())
		var err error
		if g.blr, err = likelihood.NewBLR(gram, &fy, m, v, g.noise); err != nil {
			return nil, fmt.Errorf("infer: population %q: %w", net.Populations[a], err)
		}
	}
	return ps, nil
}

// ahead is the state of a prediction some steps ahead, for every test sample: the
// predicted mean of every unit, and per population the quantities its variance is
// made of, which mean-field theory makes the same for all units of a population.
//
// The errors e[j] of the predicted means, j steps after the origin, follow
// e[j+1] = (1−a)e[j] + a(η[j] + ΔJ·φ̄[j]) + √(2Da)ξ[j], where η is the error of the input
// from the other units and ΔJ the error of the unit's coupling row. The input errors
// are correlated over steps (the errors they come from decay only by 1−a per step),
// so the covariance of the state errors over steps, cov[j][j'], is propagated:
// cov[j+1][j'+1] = (1−a)² cov[j][j'] + a² Q[j][j'] + a² (2D/a) δ_jj', with
// Q_a[j][j'] = Σ_b g_ab² r_b[j] r_b[j'] (cov_b[j][j'] + a_b² √(w_b[j] w_b[j'])) and
// r_b[j]² the average Var φ(x_l[j]) of population b per unit of its total variance (a
// gain, 〈φ'〉² when linear). The coupling errors act coherently at every step: their
// variance is a² cᵀP⁻¹c (w[j]) with the design accumulated along the path,
// c ← (1−a)c + E[φ(x)]. The predictive variance after j steps is cov[j][j] + a² w[j].
type ahead struct {
	mean *mat.Dense
	acc  []*mat.Dense    // per population: the accumulated design c
	w    [][][]float64   // per population and step: cᵀP⁻¹c at every sample
	gain [][][]float64   // per population and step: r_b at every sample
	cov  [][][][]float64 // per population: cov[j][j'] (j' ≤ j) at every sample
	q    [][][][]float64 // per population: Q[j][j'] (j' ≤ j) at every sample
}

// variance returns the predictive variance of population a's units after the last
// step, at sample k.
func (st *ahead) variance(ps *posterior, a, k int) float64 {
	j := len(st.w[a]) - 1
	return st.cov[a][j][j][k] + ps.steps[a]*ps.steps[a]*st.w[a][j][k]
}

// advance takes the prediction one step further, as PredictStep describes; on the
// first call st holds only the recorded population at the origin, in st.mean. Rows
// of units that are not modelled are left at zero.
func (ps *posterior) advance(st *ahead, workers int) *ahead {
	n, t := st.mean.Dims()
	npop := len(ps.groups)
	first := st.w == nil
	if first {
		// Step 0 is the origin: known, without error.
		st.w, st.gain = make([][][]float64, npop), make([][][]float64, npop)
		st.cov, st.q = make([][][][]float64, npop), make([][][][]float64, npop)
		for a := range st.cov {
			zero := make([]float64, t)
			st.w[a] = [][]float64{zero}
			st.cov[a] = [][][]float64{{zero}}
		}
	}
	rows := n
	if ps.bias {
		rows++
	}
	f := mat.NewDense(rows, t, nil)
	if ps.bias {
		floats.AddConst(1, f.RawRowView(n))
	}
	spread := make([][]float64, npop) // Σ_{l∈b} Var φ(x_l) per population b
	for b := range spread {
		spread[b] = make([]float64, t)
	}
	for i := 0; i < n; i++ {
		b := ps.pops[i]
		phi := ps.net.Phi[b]
		fr, sr := f.RawRowView(i), spread[b]
		for k, x := range st.mean.RawRowView(i) {
			if first {
				fr[k] = phi.Eval(x)
				continue
			}
			m, v := gaussPhi(phi, x, st.variance(ps, b, k))
			fr[k] = m
			sr[k] += v
		}
	}
	j := len(st.w[0]) - 1 // the step st is at
	for b := range st.gain {
		r := make([]float64, t)
		for k := range r {
			if v := st.variance(ps, b, k); v > 0 && ps.size[b] > 0 {
				r[k] = math.Sqrt(spread[b][k] / ps.size[b] / v)
			}
		}
		st.gain[b] = append(st.gain[b], r)
	}
	next := &ahead{mean: mat.NewDense(n, t, nil), acc: make([]*mat.Dense, npop),
		w: make([][][]float64, npop), gain: st.gain, cov: make([][][][]float64, npop), q: st.q}
	for a := range ps.groups {
		g := &ps.groups[a]
		next.w[a], next.cov[a] = st.w[a], st.cov[a]
		if len(g.units) == 0 {
			continue
		}
		step := ps.steps[a]
		mean := next.mean
		if len(g.units) != n {
			mean = mat.NewDense(len(g.units), t, nil)
		} // else every unit, in order: the means go straight into next.mean
		w := make([]float64, t)
		if first {
			next.acc[a] = f
			predictBlocks(g.blr, f, mean, w, workers)
		} else {
			next.acc[a] = st.acc[a]
			next.acc[a].Scale(1-step, next.acc[a])
			next.acc[a].Add(next.acc[a], f)
			predictBlocks(g.blr, f, mean, nil, workers)
			predictBlocks(g.blr, next.acc[a], nil, w, workers)
		}
		next.w[a] = append(next.w[a], w)
		next.cov[a] = append(next.cov[a], ps.covRow(st, a, j, t))
		for q, i := range g.units {
			x, m, nm := st.mean.RawRowView(i), mean.RawRowView(q), next.mean.RawRowView(i)
			for k := range nm {
				nm[k] = (1-step)*x[k] + step*(g.mu+m[k])
			}
		}
	}
	return next
}

// covRow returns cov[j+1][j'+1] for j' = −1 … j of population a (see ahead), from
// the state at step j: it adds the row Q[j][·] of input-error covariances to st.q and
// sums e[j+1] = Σ_{m≤j} (1−a)^{j−m} (a η[m] + ξ[m]) against e[j'+1] likewise.
func (ps *posterior) covRow(st *ahead, a, j, t int) [][]float64 {
	step := ps.steps[a]
	qrow := make([][]float64, j+1)
	for m := 0; m <= j; m++ {
		q := make([]float64, t)
		for b := range ps.groups {
			g2 := ps.net.G2[a][b]
			if g2 == 0 || len(ps.groups[b].units) == 0 {
				continue
			}
			ab := ps.steps[b]
			for k := range q {
				tot := st.cov[b][j][m][k] + ab*ab*math.Sqrt(st.w[b][j][k]*st.w[b][m][k])
				q[k] += g2 * st.gain[b][j][k] * st.gain[b][m][k] * tot
			}
		}
		qrow[m] = q
	}
	st.q[a] = append(st.q[a], qrow)
	Q := func(m, mm, k int) float64 {
		if mm > m {
			m, mm = mm, m
		}
		return st.q[a][m][mm][k]
	}
	decay := make([]float64, j+2)
	decay[0] = 1
	for m := 1; m < len(decay); m++ {
		decay[m] = decay[m-1] * (1 - step)
	}
	row := make([][]float64, j+2)
	row[0] = make([]float64, t) // the origin is known
	for jj := 0; jj <= j; jj++ {
		c := make([]float64, t)
		for k := range c {
			sum := 0.0
			for m := 0; m <= j; m++ {
				for mm := 0; mm <= jj; mm++ {
					v := step * step * Q(m, mm, k)
					if m == mm {
						v += step * step * ps.groups[a].noise
					}
					sum += decay[j-m] * decay[jj-mm] * v
				}
			}
			c[k] = sum
		}
		row[jj+1] = c
	}
	return row
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
			var m *mat.Dense
			if mean != nil {
				m = mean.Slice(0, mean.RawMatrix().Rows, lo, hi).(*mat.Dense)
			}
			var v []float64
			if wvar != nil {
				v = wvar[lo:hi]
			}
			blr.Predict(fs.Slice(0, fs.RawMatrix().Rows, lo, hi).(*mat.Dense), m, v)
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
