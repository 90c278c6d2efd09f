package infer

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models/kernel"
)

// CompareOptions controls Compare. The zero value evaluates every architecture at its
// own σ_w², σ_b² with noise variance DefaultNoise on the raw features.
type CompareOptions struct {
	FitHyper    bool    // maximise the evidence over σ_w², σ_b², σ_ε² per architecture
	Noise       float64 // noise variance σ_ε², or its initial value when fitting; 0 means DefaultNoise
	Standardize bool    // centre and scale every feature by its training mean and standard deviation
	Restarts    int     // extra seeded starts of each evidence maximisation
	Seed        uint64
	MaxIter     int // L-BFGS iterations per start; 0 means Fit's default
	Workers     int // parallel workers of the kernel computation; 0 means GOMAXPROCS
	// Progress, when set, is called after each architecture, possibly from several
	// goroutines at once.
	Progress func(done, total int)
}

// EvidenceGradTol is the gradient norm, in log-hyperparameter coordinates, at which an
// evidence maximisation stops: a 1% change of any hyperparameter then changes the log
// evidence by less than 1e-5 nats. When the evidence is largest for vanishing noise (a
// kernel that interpolates the training labels), the gradient in log σ_ε² decays like
// σ_ε², and a tighter tolerance only drives σ_ε² towards zero at the cost of dozens of
// factorisations without changing any prediction.
const EvidenceGradTol = 1e-3

// DefaultNoise is the noise variance of the one-hot targets when none is given.
const DefaultNoise = 0.05

// Comparison is the result of one architecture.
type Comparison struct {
	Arch        kernel.Arch // with the σ_w², σ_b² used (fitted when asked)
	Noise       float64     // σ_ε² used
	LogEvidence float64     // log p(Y_train) of the one-hot training targets
	Accuracy    float64     // fraction of test points whose largest posterior mean is their class
	MSE         float64     // mean squared error of the posterior means on the one-hot test targets
	MLPD        float64     // mean log predictive density of a test point's one-hot target
	Jitter      float64     // jitter added to the kernel, 0 when none
	Fitted      bool        // hyperparameters were fitted
	Converged   bool        // the evidence maximisation converged (true when not fitted)
	Status      string      // optimiser status when fitted
}

// Compare evaluates each architecture by exact Gaussian-process classification: it
// regresses the centred one-hot codes of the training labels with the architecture's
// infinite-width kernel, and scores the posterior on the test set. Results are in the
// order of archs; RankByEvidence orders them.
func Compare(archs []kernel.Arch, train, test *data.Labelled, opt CompareOptions) ([]Comparison, error) {
	if len(archs) == 0 {
		return nil, errors.New("infer: no architectures to compare")
	}
	xtr, ytr, xte, yte, err := prepare(train, test, opt.Standardize)
	if err != nil {
		return nil, err
	}
	noise := opt.Noise
	if noise == 0 {
		noise = DefaultNoise
	}
	classes := len(train.Classes)
	yTrain, err := likelihood.OneHot(ytr, classes)
	if err != nil {
		return nil, err
	}
	// Architectures that continue the one before them (same family, one deeper) form a
	// chain: a fitted depth starts from the optimum of the depth below it, since the
	// hyperparameters change little from one depth to the next and the search then
	// takes a few steps instead of dozens. Chains are independent and run in
	// parallel, as much of each evaluation (the Cholesky factorisation) is serial.
	var chains [][]int
	for i, a := range archs {
		if i > 0 && archs[i-1].Family() == a.Family() && archs[i-1].Depth == a.Depth-1 {
			chains[len(chains)-1] = append(chains[len(chains)-1], i)
			continue
		}
		chains = append(chains, []int{i})
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Comparison, len(archs))
	errs := make([]error, len(archs))
	var done atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, workers)
	for _, chain := range chains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			for k, i := range chain {
				gp, err := likelihood.NewGP(archs[i], xtr, train.D(), yTrain, noise)
				if err != nil {
					errs[i] = err
					return
				}
				gp.Workers = opt.Workers
				if prev := out[chain[max(k-1, 0)]]; opt.FitHyper && k > 0 {
					gp.Arch.SigmaW2, gp.Arch.SigmaB2, gp.Noise = prev.Arch.SigmaW2, prev.Arch.SigmaB2, prev.Noise
				}
				c, err := compareOne(gp, xte, yte, classes, opt)
				if err != nil {
					errs[i] = err
					return
				}
				out[i] = *c
				if opt.Progress != nil {
					opt.Progress(int(done.Add(1)), len(archs))
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func compareOne(gp *likelihood.GP, xte []float64, yte []int, classes int, opt CompareOptions) (*Comparison, error) {
	params := gp.Params()
	theta := make([]float64, len(params))
	for i, p := range params {
		theta[i] = p.Theta(p.Init)
	}
	c := &Comparison{Fitted: opt.FitHyper, Converged: true}
	if opt.FitHyper {
		est, err := FitEvidence(gp, FitOptions{Restarts: opt.Restarts, Seed: opt.Seed, MaxIter: opt.MaxIter, GradTol: EvidenceGradTol})
		if err != nil && est == nil {
			return nil, err
		}
		theta, c.LogEvidence = est.Theta, est.LogLik
		c.Converged, c.Status = est.Converged, est.Status
	} else {
		c.LogEvidence = gp.Eval(theta, nil)
		if err := gp.Err(); err != nil {
			return nil, fmt.Errorf("infer: %s: %w", gp.Arch, err)
		}
	}
	c.Arch, c.Noise = gp.At(theta)
	post, err := gp.Predict(theta, xte)
	if err != nil {
		return nil, fmt.Errorf("infer: %s: %w", c.Arch, err)
	}
	c.Jitter = math.Max(gp.Jitter(), post.Jitter)
	c.Accuracy, c.MSE, c.MLPD = score(post, yte, classes)
	return c, nil
}

// score returns the accuracy, mean squared error and mean log predictive density of a
// posterior against test labels.
func score(post *likelihood.GPPosterior, labels []int, classes int) (acc, mse, mlpd float64) {
	q := len(labels)
	for i, l := range labels {
		row := post.Mean.RawRowView(i)
		best := 0
		v := post.Var[i] + post.Noise
		for c, m := range row {
			if m > row[best] {
				best = c
			}
			y := -1 / float64(classes)
			if c == l {
				y += 1
			}
			r := y - m
			mse += r * r
			mlpd += -0.5*r*r/v - 0.5*math.Log(2*math.Pi*v)
		}
		if best == l {
			acc++
		}
	}
	return acc / float64(q), mse / float64(q*classes), mlpd / float64(q)
}

// RankByEvidence sorts results by decreasing log evidence, keeping the order of ties.
func RankByEvidence(cs []Comparison) {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].LogEvidence > cs[j].LogEvidence })
}

// prepare checks a train/test pair, maps the test labels onto the training classes and
// standardises the features when asked.
func prepare(train, test *data.Labelled, standardize bool) (xtr []float64, ytr []int, xte []float64, yte []int, err error) {
	if train == nil || test == nil {
		return nil, nil, nil, nil, errors.New("infer: need a training and a test set")
	}
	d := train.D()
	if test.D() != d {
		return nil, nil, nil, nil, fmt.Errorf("infer: training set has %d features, test set %d; use the same feature columns", d, test.D())
	}
	if train.P() < 2 || test.P() < 1 {
		return nil, nil, nil, nil, fmt.Errorf("infer: need at least 2 training and 1 test examples, got %d and %d", train.P(), test.P())
	}
	seen := map[int]bool{}
	for _, y := range train.Y {
		seen[y] = true
	}
	if len(seen) < 2 {
		name := "?"
		if len(train.Y) > 0 && train.Y[0] < len(train.Classes) {
			name = train.Classes[train.Y[0]]
		}
		return nil, nil, nil, nil, fmt.Errorf("infer: the training set has only one class (%q); classification needs at least two", name)
	}
	index := map[string]int{}
	for i, c := range train.Classes {
		index[c] = i
	}
	yte = make([]int, test.P())
	for i, y := range test.Y {
		c := test.Classes[y]
		j, ok := index[c]
		if !ok {
			return nil, nil, nil, nil, fmt.Errorf("infer: test example %d has class %q, which the training set does not have", i, c)
		}
		yte[i] = j
	}
	xtr = append([]float64(nil), train.X...)
	xte = append([]float64(nil), test.X...)
	for _, x := range [][]float64{xtr, xte} {
		for i, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, nil, nil, fmt.Errorf("infer: feature %q of example %d is %v; remove or impute non-finite values", train.Features[i%d], i/d, v)
			}
		}
	}
	if standardize {
		Standardize(xtr, xte, d)
	}
	return xtr, append([]int(nil), train.Y...), xte, yte, nil
}

// Standardize centres and scales each of the d feature columns of the row-major train
// and test matrices by the training mean and standard deviation, in place. Features
// constant on the training set are only centred.
func Standardize(train, test []float64, d int) {
	p := len(train) / d
	col := make([]float64, p)
	for f := 0; f < d; f++ {
		for i := range col {
			col[i] = train[i*d+f]
		}
		m := mat.Sum(mat.NewVecDense(p, col)) / float64(p)
		var ss float64
		for _, v := range col {
			ss += (v - m) * (v - m)
		}
		sd := math.Sqrt(ss / float64(p))
		if sd == 0 {
			sd = 1
		}
		for _, x := range [][]float64{train, test} {
			for i := f; i < len(x); i += d {
				x[i] = (x[i] - m) / sd
			}
		}
	}
}
