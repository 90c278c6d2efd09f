package data

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Spikes is a spike table: one row per spike.
type Spikes struct {
	Units  []string  // unit names, in order of first appearance in the file
	Trials []string  // trial names in order of first appearance; nil without a trial column
	Unit   []int     // per spike: index into Units
	Trial  []int     // per spike: index into Trials; nil without a trial column
	Time   []float64 // per spike: time in seconds
	Meta   map[string]string
}

// IsSpikeTable reports whether path holds a spike table: columns unit and time, and no
// value column.
func IsSpikeTable(path string) (bool, error) {
	s, err := openSource(path, nil)
	if err != nil {
		return false, err
	}
	defer s.Close()
	return detectLayout(s.schema) == layoutSpikes, nil
}

// ReadSpikes reads a spike table: columns unit (string or integer), time (numeric,
// seconds) and optionally trial (string or integer). Other columns are ignored.
func ReadSpikes(path string) (*Spikes, error) {
	s, err := openSource(path, nil)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	ucol, tcol, trcol := s.field("unit"), s.field("time"), s.field("trial")
	if ucol < 0 || tcol < 0 {
		return nil, fmt.Errorf("%s: a spike table needs columns unit and time; the file has %s", path, listNames(s.schema, nil))
	}
	if f := s.schema.Field(ucol); !isText(f.Type) {
		return nil, fmt.Errorf("%s: column \"unit\" has type %s; it must hold strings or integers", path, f.Type)
	}
	if f := s.schema.Field(tcol); !isNumeric(f.Type) {
		return nil, fmt.Errorf("%s: column \"time\" has type %s, not numeric", path, f.Type)
	}
	cols := []int{ucol, tcol}
	if trcol >= 0 {
		if f := s.schema.Field(trcol); !isText(f.Type) {
			return nil, fmt.Errorf("%s: column \"trial\" has type %s; it must hold strings or integers", path, f.Type)
		}
		cols = append(cols, trcol)
	}
	sp := &Spikes{Meta: s.meta}
	upos, tpos := map[string]int{}, map[string]int{}
	var units, trials []string
	for {
		p, err := s.readNext(cols)
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		units, trials = units[:0], trials[:0]
		base := len(sp.Time)
		var bad string
		if units, err = columnStrings(units, p.cols[0]); err != nil {
			bad = "unit"
		} else if sp.Time, err = columnFloats(sp.Time, p.cols[1]); err != nil {
			bad = "time"
		} else if trcol >= 0 {
			if trials, err = columnStrings(trials, p.cols[2]); err != nil {
				bad = "trial"
			}
		}
		p.Release()
		if err != nil {
			return nil, fmt.Errorf("%s: column %q: %v", path, bad, err)
		}
		for i, u := range units {
			k, ok := upos[u]
			if !ok {
				k = len(sp.Units)
				upos[u] = k
				sp.Units = append(sp.Units, u)
			}
			sp.Unit = append(sp.Unit, k)
			if t := sp.Time[base+i]; math.IsNaN(t) || math.IsInf(t, 0) {
				return nil, fmt.Errorf("%s: column \"time\": non-finite or missing spike time %v in row %d (unit %q)", path, t, base+i, u)
			}
		}
		for _, tr := range trials {
			k, ok := tpos[tr]
			if !ok {
				k = len(sp.Trials)
				tpos[tr] = k
				sp.Trials = append(sp.Trials, tr)
			}
			sp.Trial = append(sp.Trial, k)
		}
	}
	if len(sp.Time) == 0 {
		return nil, fmt.Errorf("%s: empty spike table: no rows", path)
	}
	return sp, nil
}

// BinOptions controls Spikes.Bin.
//
// Bins are [From + k·Bin, From + (k+1)·Bin). With From == To == 0 the window starts at
// min(0, first spike) and its last bin holds the last spike; with To > 0 it has
// ⌊(To−From)/Bin⌋ bins (up to rounding of 1e-9 bins) and spikes after the last one are
// left out.
type BinOptions struct {
	Bin float64 // bin width in seconds, > 0
	// From, To: the window [From, To) in seconds. To == 0 is an open end, up to the bin
	// that holds the last spike; From == To == 0 starts at min(0, first spike).
	From, To float64
	// Smooth is "" (none), "exp:TAU" (causal exponential filter with time constant TAU s,
	// normalised to unit sum: y[k] = a·y[k−1] + (1−a)·c[k], a = exp(−Bin/TAU)) or
	// "gauss:SIGMA" (symmetric Gaussian of standard deviation SIGMA s, truncated at 4·SIGMA,
	// normalised to unit sum; zero outside the window).
	Smooth string
	// Transform, applied after smoothing: "" (counts per bin), "sqrt", "log1p", or
	// "rate" (counts / Bin, in Hz).
	Transform string
}

// Bin bins the spikes into a recording with step opt.Bin; sample k of a trial counts the
// spikes in [Start + k·Bin, Start + (k+1)·Bin). Units with no spike in the window (in any
// trial) are left out of the recording and returned in dropped. Trials of the table
// become trials of the recording.
func (s *Spikes) Bin(opt BinOptions) (rec *Recording, dropped []string, err error) {
	if !(opt.Bin > 0) || math.IsInf(opt.Bin, 0) {
		return nil, nil, fmt.Errorf("bin width %v must be positive (e.g. 0.02 for 20 ms)", opt.Bin)
	}
	smooth, err := parseSmooth(opt.Smooth, opt.Bin)
	if err != nil {
		return nil, nil, err
	}
	transform, err := parseTransform(opt.Transform, opt.Bin)
	if err != nil {
		return nil, nil, err
	}
	from, nb, err := s.grid(opt)
	if err != nil {
		return nil, nil, err
	}
	ntr := max(1, len(s.Trials))
	if cells := float64(nb) * float64(len(s.Units)) * float64(ntr); cells > 1<<30 {
		return nil, nil, fmt.Errorf("%d bins × %d units × %d trials is too large (more than 2³⁰ values); use a wider bin or a shorter window (From, To)", nb, len(s.Units), ntr)
	}
	counts := make([][]float64, ntr) // per trial, unit-major
	for i := range counts {
		counts[i] = make([]float64, nb*len(s.Units))
	}
	fired := make([]bool, len(s.Units))
	for i, t := range s.Time {
		k, ok := binIndex(t, from, opt.Bin, nb)
		if !ok {
			continue
		}
		tr := 0
		if s.Trial != nil {
			tr = s.Trial[i]
		}
		counts[tr][s.Unit[i]*nb+k]++
		fired[s.Unit[i]] = true
	}
	rec = &Recording{Step: opt.Bin, TimeUnit: "s", Meta: cloneMeta(s.Meta)}
	var keep []int
	for u, f := range fired {
		if f {
			keep = append(keep, u)
			rec.Units = append(rec.Units, s.Units[u])
		} else {
			dropped = append(dropped, s.Units[u])
		}
	}
	if len(keep) == 0 {
		return nil, dropped, fmt.Errorf("no spikes in the window [%v, %v); the spikes span [%v, %v]", from, from+float64(nb)*opt.Bin, minOf(s.Time), maxOf(s.Time))
	}
	rec.Meta["ldfit.binning"] = fmt.Sprintf("bin=%v smooth=%q transform=%q", opt.Bin, opt.Smooth, opt.Transform)
	for tr := 0; tr < ntr; tr++ {
		trial := Trial{Start: from, Len: nb, Data: make([]float64, nb*len(keep))}
		if s.Trials != nil {
			trial.Name = s.Trials[tr]
		}
		for j, u := range keep {
			x := trial.Data[j*nb : (j+1)*nb]
			copy(x, counts[tr][u*nb:(u+1)*nb])
			smooth(x)
			for k := range x {
				x[k] = transform(x[k])
			}
		}
		rec.Trials = append(rec.Trials, trial)
	}
	return rec, dropped, nil
}

// grid returns the window start and number of bins.
func (s *Spikes) grid(opt BinOptions) (from float64, nb int, err error) {
	from = opt.From
	if opt.From == 0 && opt.To == 0 {
		from = min(0, minOf(s.Time))
	}
	if opt.To == 0 {
		// An open end reaches the bin that holds the last spike.
		last := maxOf(s.Time)
		if last < from {
			return 0, 0, fmt.Errorf("no spike at or after From %v (the last is at %v)", from, last)
		}
		nb = int(math.Floor((last-from)/opt.Bin)) + 1
		if from+float64(nb-1)*opt.Bin > last {
			nb--
		}
	} else {
		if !(opt.To > opt.From) {
			return 0, 0, fmt.Errorf("empty time window: From %v must be before To %v", opt.From, opt.To)
		}
		nb = int(math.Floor((opt.To-opt.From)/opt.Bin + 1e-9))
	}
	if nb < 1 {
		return 0, 0, fmt.Errorf("time window [%v, %v) is shorter than one bin of %v", opt.From, opt.To, opt.Bin)
	}
	if nb > 1<<31 {
		return 0, 0, fmt.Errorf("%d bins of %v s: bin width too small for the window", nb, opt.Bin)
	}
	return from, nb, nil
}

// binIndex returns the bin k with from+k·bin ≤ t < from+(k+1)·bin, computing the bin
// edges exactly as that comparison does, so that counts agree with a direct count.
func binIndex(t, from, bin float64, nb int) (int, bool) {
	k := int(math.Floor((t - from) / bin))
	if k > 0 && t < from+float64(k)*bin {
		k--
	} else if t >= from+float64(k+1)*bin {
		k++
	}
	return k, k >= 0 && k < nb
}

func minOf(x []float64) float64 {
	m := math.Inf(1)
	for _, v := range x {
		m = min(m, v)
	}
	return m
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func parseSmooth(spec string, bin float64) (func([]float64), error) {
	if spec == "" || spec == "none" {
		return func([]float64) {}, nil
	}
	kind, arg, ok := strings.Cut(spec, ":")
	w, err := strconv.ParseFloat(arg, 64)
	if !ok || err != nil || !(w > 0) || math.IsInf(w, 0) {
		return nil, fmt.Errorf("smoothing %q: want exp:TAU or gauss:SIGMA with a positive width in seconds, e.g. exp:0.05", spec)
	}
	switch kind {
	case "exp":
		a := math.Exp(-bin / w)
		return func(x []float64) {
			y := 0.0
			for k, c := range x {
				y = a*y + (1-a)*c
				x[k] = y
			}
		}, nil
	case "gauss":
		h := int(math.Ceil(4 * w / bin))
		if h > 1<<20 {
			return nil, fmt.Errorf("smoothing %q: kernel of %d bins is too wide for bin %v", spec, 2*h+1, bin)
		}
		kern := make([]float64, 2*h+1)
		var sum float64
		for j := -h; j <= h; j++ {
			z := float64(j) * bin / w
			kern[j+h] = math.Exp(-z * z / 2)
			sum += kern[j+h]
		}
		for j := range kern {
			kern[j] /= sum
		}
		return func(x []float64) {
			src := append([]float64(nil), x...)
			for k := range x {
				var y float64
				for j := max(-h, -k); j <= h && k+j < len(src); j++ {
					y += kern[j+h] * src[k+j]
				}
				x[k] = y
			}
		}, nil
	}
	return nil, fmt.Errorf("smoothing %q: unknown kind %q; use exp:TAU or gauss:SIGMA", spec, kind)
}

func parseTransform(name string, bin float64) (func(float64) float64, error) {
	switch name {
	case "", "none":
		return func(x float64) float64 { return x }, nil
	case "sqrt":
		return math.Sqrt, nil
	case "log1p":
		return math.Log1p, nil
	case "rate":
		return func(x float64) float64 { return x / bin }, nil
	}
	return nil, fmt.Errorf("transform %q: use sqrt, log1p or rate", name)
}
