package network

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/models"
)

// NoiseBlock is the number of consecutive units that share one noise stream.
const NoiseBlock = 256

// TruthKey is the metadata key under which simulated recordings store their Truth.
const TruthKey = "ldfit.truth"

// Options control a simulation.
type Options struct {
	Dt          float64 // Euler–Maruyama step, in the time unit of τ
	Steps       int     // number of recorded samples
	RecordEvery int     // Euler steps between recorded samples; 0 means 1
	BurnIn      float64 // simulated time discarded before the first sample
	Seed        uint64  // seed of the couplings, the initial state and the noise
	Workers     int     // parallel workers; 0 means GOMAXPROCS. Does not change the result.
	// Progress, when non-nil, is called now and then with the number of samples
	// recorded so far.
	Progress func(done int)
}

func (o *Options) normalise(m *Model) error {
	if o.RecordEvery == 0 {
		o.RecordEvery = 1
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case !(o.Dt > 0) || math.IsInf(o.Dt, 0):
		return fmt.Errorf("network: time step dt = %v; need a finite dt > 0", o.Dt)
	case o.Steps < 1:
		return fmt.Errorf("network: %d recorded steps; need at least 1", o.Steps)
	case o.RecordEvery < 1:
		return fmt.Errorf("network: record-every = %d; need at least 1", o.RecordEvery)
	case !(o.BurnIn >= 0) || math.IsInf(o.BurnIn, 0):
		return fmt.Errorf("network: burn-in = %v; need a finite time ≥ 0", o.BurnIn)
	}
	for _, p := range m.Pops {
		if o.Dt > p.Tau {
			return fmt.Errorf("network: dt = %v exceeds the time constant τ = %v of population %q; the Euler scheme needs dt ≤ τ (use dt ≤ τ/10 for accuracy)", o.Dt, p.Tau, p.Name)
		}
	}
	return nil
}

// Simulate draws the couplings of m and integrates the network, returning the
// recorded activity x. The recording has Step = Dt·RecordEvery, time 0 at the end of the
// burn-in, units named "u0000", "u0001", ... (wider when N > 10000), population labels
// when m has more than one population, and the Truth in Meta[TruthKey]. Times are in
// the unit of τ, labelled "s" like every recording ldfit writes. The whole recording
// is held in memory (8·N·Steps bytes); SimulateTo streams it to a file instead.
func Simulate(m Model, opt Options) (*data.Recording, error) {
	s, err := newSim(&m, &opt)
	if err != nil {
		return nil, err
	}
	n, T := s.n, opt.Steps
	rec := s.recording()
	rec.Trials = []data.Trial{{Start: 0, Len: T, Data: make([]float64, n*T)}}
	d := rec.Trials[0].Data
	err = s.run(&opt, func(k int, x []float64) error {
		for i, v := range x {
			d[i*T+k] = v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// sim is the state of one simulation.
type sim struct {
	m       *Model
	op      Operator
	n       int
	x, phi  []float64 // state and φ(state)
	h       []float64 // recurrent input J φ
	a, sd   []float64 // dt/τ and √(2 D a) per unit
	mu      []float64 // bias per unit
	pop     []int32
	phis    []models.Phi
	rngs    []*rand.Rand // one per noise block
	workers int
	truth   Truth
}

func newSim(m *Model, opt *Options) (*sim, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if err := opt.normalise(m); err != nil {
		return nil, err
	}
	c := m.Coupling
	if c == nil {
		c = IID{}
	}
	op, err := c.Build(m, opt.Seed, opt.Workers)
	if err != nil {
		return nil, err
	}
	n := m.N()
	if op.Dim() != n {
		return nil, fmt.Errorf("network: coupling %s is %d×%d but the model has %d units", c, op.Dim(), op.Dim(), n)
	}
	s := &sim{m: m, op: op, n: n, workers: opt.Workers, pop: popIndex(m)}
	s.x, s.phi, s.h = make([]float64, n), make([]float64, n), make([]float64, n)
	s.a, s.sd, s.mu = make([]float64, n), make([]float64, n), make([]float64, n)
	for i, p := range s.pop {
		pp := m.Pops[p]
		s.a[i] = opt.Dt / pp.Tau
		s.sd[i] = math.Sqrt(2 * pp.D * s.a[i])
		s.mu[i] = m.mu(int(p))
	}
	for _, p := range m.Pops {
		s.phis = append(s.phis, p.Phi)
	}
	init := blockRNG(opt.Seed, streamInit, 0)
	for i := range s.x {
		s.x[i] = init.NormFloat64()
		s.phi[i] = s.phis[s.pop[i]].Eval(s.x[i])
	}
	for b := 0; b*NoiseBlock < n; b++ {
		s.rngs = append(s.rngs, blockRNG(opt.Seed, streamNoise, b))
	}
	s.truth = newTruth(m, c, op, opt)
	return s, nil
}

// step advances the state by one Euler–Maruyama step.
func (s *sim) step() {
	s.op.Apply(s.h, s.phi, s.workers)
	parallel(len(s.rngs), s.workers, func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			rng := s.rngs[b]
			for i := b * NoiseBlock; i < min(s.n, (b+1)*NoiseBlock); i++ {
				x := s.x[i]
				x += s.a[i]*(s.h[i]+s.mu[i]-x) + s.sd[i]*rng.NormFloat64()
				s.x[i] = x
				s.phi[i] = s.phis[s.pop[i]].Eval(x)
			}
		}
	})
}

// run performs the burn-in and then records opt.Steps samples, handing each to record.
func (s *sim) run(opt *Options, record func(k int, x []float64) error) error {
	burn := int(math.Round(opt.BurnIn / opt.Dt))
	for range burn {
		s.step()
	}
	every := max(1, opt.Steps/100)
	for k := range opt.Steps {
		if k > 0 {
			for range opt.RecordEvery {
				s.step()
			}
		}
		if err := record(k, s.x); err != nil {
			return err
		}
		if opt.Progress != nil && (k+1)%every == 0 {
			opt.Progress(k + 1)
		}
	}
	return nil
}

// recording returns an empty recording with the units, populations and metadata.
func (s *sim) recording() *data.Recording {
	rec := &data.Recording{
		Units:    UnitNames(s.n),
		Step:     s.truth.Dt * float64(s.truth.RecordEvery),
		TimeUnit: "s",
		Meta:     map[string]string{TruthKey: s.truth.JSON()},
	}
	if len(s.m.Pops) > 1 {
		rec.Populations = make([]string, s.n)
		for i, p := range s.pop {
			rec.Populations[i] = s.m.Pops[p].Name
		}
	}
	return rec
}

// UnitNames returns the names "u0000", "u0001", ... of n simulated units, zero-padded
// to at least four digits and to the width of n−1.
func UnitNames(n int) []string {
	w := max(4, len(fmt.Sprint(n-1)))
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("u%0*d", w, i)
	}
	return names
}

// Truth is the record of a simulation's true parameters stored in its metadata.
type Truth struct {
	Populations []TruthPop         `json:"populations"`
	G2          [][]float64        `json:"g2"`
	J0          [][]float64        `json:"J0,omitempty"`
	Mu          []float64          `json:"mu,omitempty"`
	Coupling    string             `json:"coupling"`
	Realised    map[string]float64 `json:"realised,omitempty"`
	Dt          float64            `json:"dt"`
	RecordEvery int                `json:"record_every"`
	BurnIn      float64            `json:"burn_in"`
	Steps       int                `json:"steps"`
	Seed        uint64             `json:"seed"`
}

// TruthPop is one population in a Truth.
type TruthPop struct {
	Name string  `json:"name"`
	N    int     `json:"n"`
	Tau  float64 `json:"tau"`
	D    float64 `json:"D"`
	Phi  string  `json:"phi"`
}

func newTruth(m *Model, c Coupling, op Operator, opt *Options) Truth {
	t := Truth{G2: m.G2, J0: m.J0, Mu: m.Mu, Coupling: c.String(), Dt: opt.Dt,
		RecordEvery: opt.RecordEvery, BurnIn: opt.BurnIn, Steps: opt.Steps, Seed: opt.Seed}
	for _, p := range m.Pops {
		t.Populations = append(t.Populations, TruthPop{p.Name, p.N, p.Tau, p.D, p.Phi.String()})
	}
	if r, ok := op.(Realiser); ok {
		t.Realised = r.Realised()
	}
	return t
}

// JSON returns t as a JSON object.
func (t Truth) JSON() string {
	b, err := json.Marshal(t)
	if err != nil {
		// Only non-finite numbers fail to encode; Validate has excluded them.
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return string(b)
}

// ReadTruth returns the Truth stored in a recording's metadata.
func ReadTruth(meta map[string]string) (*Truth, error) {
	s, ok := meta[TruthKey]
	if !ok {
		return nil, fmt.Errorf("network: no %q in the metadata: the recording was not simulated by ldfit", TruthKey)
	}
	var t Truth
	if err := json.Unmarshal([]byte(s), &t); err != nil {
		return nil, fmt.Errorf("network: metadata %q: %v", TruthKey, err)
	}
	return &t, nil
}
