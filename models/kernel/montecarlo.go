package kernel

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// MCOptions sets up a Monte Carlo estimate of a kernel from sampled finite networks.
type MCOptions struct {
	Width    int    // hidden units per layer, n
	Networks int    // networks sampled, S
	Seed     uint64 // network s draws from rand.NewPCG(Seed, s)
	Workers  int    // networks simulated in parallel; 0 means GOMAXPROCS
}

func (o MCOptions) check() error {
	if o.Width < 1 || o.Networks < 1 {
		return fmt.Errorf("kernel: Monte Carlo needs width and networks of at least 1, got width %d, %d networks", o.Width, o.Networks)
	}
	return nil
}

// MonteCarlo returns the output kernel of finite networks of architecture a on the rows
// of x, averaged over opt.Networks sampled networks. For each network it is the
// covariance of the output given the hidden weights, σ_w² φ(h)·φ(h')/n + σ_b², with h
// the last hidden layer (or the T^{-1/2}-weighted sum over steps for a summed readout).
// Recurrent networks use one weight matrix at every step. As the width grows it tends
// to Compute's kernel, with a bias of order 1/n.
func MonteCarlo(a Arch, x []float64, d int, opt MCOptions) (*mat.SymDense, error) {
	if err := mcCheck(a, x, d, opt); err != nil {
		return nil, err
	}
	n, T := len(x)/d, a.Depth
	sum := mat.NewSymDense(n, nil)
	parts := make([]*mat.SymDense, opt.Networks)
	errs := make([]error, opt.Networks)
	forNetworks(opt, func(net int, rng *rand.Rand) {
		hs, err := simulate(a, x, d, opt.Width, rng)
		if err != nil {
			errs[net] = err
			return
		}
		read := mat.NewDense(opt.Width, n, nil)
		steps := []int{T - 1}
		if a.Kind == Recurrent && a.Readout == Sum {
			steps = steps[:0]
			for t := 0; t < T; t++ {
				steps = append(steps, t)
			}
		}
		for _, t := range steps {
			read.Apply(func(i, j int, v float64) float64 { return v + a.Phi.Eval(hs[t].At(i, j)) }, read)
		}
		k := mat.NewSymDense(n, nil)
		k.SymOuterK(a.SigmaW2/float64(opt.Width*len(steps)), read.T())
		parts[net] = k
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Summing in network order keeps the result independent of scheduling.
	for _, p := range parts {
		sum.AddSym(sum, p)
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			sum.SetSym(i, j, sum.At(i, j)/float64(opt.Networks)+a.SigmaB2)
		}
	}
	return sum, nil
}

// MonteCarloCrossTime returns the empirical hidden kernels h^t(x_i)·h^s(x_j)/n of
// sampled finite networks, averaged over networks, in the layout of CrossTime.
func MonteCarloCrossTime(a Arch, x []float64, d int, opt MCOptions) ([][]*mat.Dense, error) {
	if err := mcCheck(a, x, d, opt); err != nil {
		return nil, err
	}
	n, T := len(x)/d, a.Depth
	parts := make([][][]*mat.Dense, opt.Networks)
	errs := make([]error, opt.Networks)
	forNetworks(opt, func(net int, rng *rand.Rand) {
		hs, err := simulate(a, x, d, opt.Width, rng)
		if err != nil {
			errs[net] = err
			return
		}
		k := make([][]*mat.Dense, T)
		for t := range k {
			k[t] = make([]*mat.Dense, T)
			for s := range k[t] {
				m := mat.NewDense(n, n, nil)
				m.Mul(hs[t].T(), hs[s])
				m.Scale(1/float64(opt.Width), m)
				k[t][s] = m
			}
		}
		parts[net] = k
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := parts[0]
	for _, p := range parts[1:] {
		for t := range out {
			for s := range out[t] {
				out[t][s].Add(out[t][s], p[t][s])
			}
		}
	}
	for t := range out {
		for s := range out[t] {
			out[t][s].Scale(1/float64(opt.Networks), out[t][s])
		}
	}
	return out, nil
}

// Deviation returns, for each width, the relative distance ‖K_n − K_∞‖_F / ‖K_∞‖_F
// between the Monte Carlo kernel of networks of that width (networks samples each) and
// the infinite-width kernel. It shrinks like 1/n, down to the sampling noise of order
// (n·networks)^{-1/2}.
func Deviation(a Arch, x []float64, d int, widths []int, networks int, seed uint64) ([]float64, error) {
	lim, err := Compute(a, x, d, Options{})
	if err != nil {
		return nil, err
	}
	norm := mat.Norm(lim.K, 2)
	out := make([]float64, len(widths))
	for i, w := range widths {
		mc, err := MonteCarlo(a, x, d, MCOptions{Width: w, Networks: networks, Seed: seed + uint64(i)<<32})
		if err != nil {
			return nil, err
		}
		var diff mat.Dense
		diff.Sub(mc, lim.K)
		out[i] = mat.Norm(&diff, 2) / norm
	}
	return out, nil
}

func mcCheck(a Arch, x []float64, d int, opt MCOptions) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := checkInputs(x, d); err != nil {
		return err
	}
	return opt.check()
}

// forNetworks runs sim for every network, each with its own seeded generator.
func forNetworks(opt MCOptions, sim func(net int, rng *rand.Rand)) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, opt.Networks); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for net := range jobs {
				sim(net, rand.New(rand.NewPCG(opt.Seed, uint64(net))))
			}
		}()
	}
	for net := 0; net < opt.Networks; net++ {
		jobs <- net
	}
	close(jobs)
	wg.Wait()
}

// simulate samples one network of the given width and returns its hidden
// pre-activations h^t (width × points) at every layer or step.
func simulate(a Arch, x []float64, d, width int, rng *rand.Rand) ([]*mat.Dense, error) {
	n, T := len(x)/d, a.Depth
	inputs, fanIn := stepInputs(a, x, d)
	gauss := func(r, c int, sd float64) *mat.Dense {
		data := make([]float64, r*c)
		for i := range data {
			data[i] = sd * rng.NormFloat64()
		}
		return mat.NewDense(r, c, data)
	}
	sw, sb := math.Sqrt(a.SigmaW2), math.Sqrt(a.SigmaB2)
	u := gauss(width, fanIn, sw/math.Sqrt(float64(fanIn)))
	var w *mat.Dense
	b := gauss(width, 1, sb)
	hs := make([]*mat.Dense, T)
	for t := 0; t < T; t++ {
		h := mat.NewDense(width, n, nil)
		if inputs[t] != nil {
			h.Mul(u, inputs[t])
		}
		if t > 0 {
			var phi mat.Dense
			phi.Apply(func(_, _ int, v float64) float64 { return a.Phi.Eval(v) }, hs[t-1])
			var wp mat.Dense
			if a.Kind == Deep {
				f, err := layerFactor(&phi, a.SigmaW2/float64(width))
				if err != nil {
					return nil, err
				}
				wp.Mul(gauss(width, n, 1), f.T())
			} else {
				if w == nil {
					w = gauss(width, width, sw/math.Sqrt(float64(width)))
				}
				wp.Mul(w, &phi)
			}
			h.Add(h, &wp)
			if a.Kind == Deep || a.Bias == Fresh {
				b = gauss(width, 1, sb)
			}
		}
		for i := 0; i < width; i++ {
			bi := b.At(i, 0)
			for j := 0; j < n; j++ {
				h.Set(i, j, h.At(i, j)+bi)
			}
		}
		hs[t] = h
	}
	return hs, nil
}

// layerFactor returns S with SSᵀ = s·φᵀφ. A layer with fresh weights W ~ N(0, s) maps
// φ (width × points) to Wφ, whose rows are independent N(0, s·φᵀφ) given φ: drawing
// them as S z is the same distribution as drawing W, at a cost of width × points
// instead of width² normal numbers.
func layerFactor(phi *mat.Dense, s float64) (*mat.Dense, error) {
	_, n := phi.Dims()
	var g mat.SymDense
	g.SymOuterK(s, phi.T())
	var eig mat.EigenSym
	if !eig.Factorize(&g, true) {
		return nil, fmt.Errorf("kernel: eigendecomposition of a hidden-layer Gram matrix failed (non-finite activations?)")
	}
	var v mat.Dense
	eig.VectorsTo(&v)
	vals := eig.Values(nil)
	for j := 0; j < n; j++ {
		r := math.Sqrt(math.Max(vals[j], 0))
		for i := 0; i < n; i++ {
			v.Set(i, j, v.At(i, j)*r)
		}
	}
	return &v, nil
}

// stepInputs returns the input matrix (features × points) entering at each step, nil
// where none enters, and the fan-in of the input weights.
func stepInputs(a Arch, x []float64, d int) ([]*mat.Dense, int) {
	n, T := len(x)/d, a.Depth
	in := make([]*mat.Dense, T)
	if a.Kind == Deep || a.Input == FirstStep {
		var m mat.Dense
		m.CloneFrom(mat.NewDense(n, d, x).T())
		in[0] = &m
		return in, d
	}
	chunk := (d + T - 1) / T
	for t := range in {
		m := mat.NewDense(chunk, n, nil)
		for i := 0; i < n; i++ {
			for f := 0; f < chunk && t*chunk+f < d; f++ {
				m.Set(f, i, x[i*d+t*chunk+f])
			}
		}
		in[t] = m
	}
	return in, chunk
}
