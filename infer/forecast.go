package infer

import (
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/mat"

	"github.com/ldfit/ldfit/data"
	"github.com/ldfit/ldfit/likelihood"
)

// Forecaster forecasts a stationary Gaussian process from its own past (DESIGN.md §4,
// prediction 2): given the Lags samples x[o], x[o−s], …, x[o−(Lags−1)s] at spacing s,
// the Gaussian conditional of x[o+hs] for h = 1 … Horizon. The covariance is the same
// for every unit of a population, so the weights and variances are computed once
// (Levinson–Durbin, O(Horizon·Lags²)) and each unit's forecast is a matrix–vector
// product.
type Forecaster struct {
	Lags, Spacing, Horizon int
	w                      *mat.Dense // Horizon × Lags, columns in chronological order
	sd                     []float64
}

// NewForecaster returns the forecaster of a process with autocovariance acov, where
// acov[k] is the covariance at a lag of k samples; it needs lags up to
// (lags − 1 + horizon)·spacing.
func NewForecaster(acov []float64, lags, spacing, horizon int) (*Forecaster, error) {
	if lags < 1 || spacing < 1 || horizon < 1 {
		return nil, fmt.Errorf("infer: forecast needs at least one lag, spacing and horizon step, got %d, %d, %d", lags, spacing, horizon)
	}
	need := (lags - 1 + horizon) * spacing
	if len(acov) <= need {
		return nil, fmt.Errorf("infer: forecast with %d lags, spacing %d and horizon %d needs the autocovariance up to lag %d, have %d",
			lags, spacing, horizon, need, len(acov)-1)
	}
	r := make([]float64, lags)
	for k := range r {
		r[k] = acov[k*spacing]
	}
	tp, err := likelihood.NewToeplitz(r)
	if err != nil {
		return nil, fmt.Errorf("infer: forecast covariance: %w", err)
	}
	f := &Forecaster{Lags: lags, Spacing: spacing, Horizon: horizon, w: mat.NewDense(horizon, lags, nil), sd: make([]float64, horizon)}
	k := make([]float64, lags)
	for h := 1; h <= horizon; h++ {
		// Covariance of x[o+hs] with the m-th conditioning sample x[o−(lags−1−m)s].
		for m := range k {
			k[m] = acov[(lags-1-m+h)*spacing]
		}
		tp.Solve(f.w.RawRowView(h-1), k)
		v := acov[0] - tp.Quad(k)
		f.sd[h-1] = math.Sqrt(math.Max(v, 0))
	}
	return f, nil
}

// SD returns the predictive standard deviation at each horizon step; the slice aliases
// the forecaster's.
func (f *Forecaster) SD() []float64 { return f.sd }

// Forecast stores in mean the forecast at each horizon step of the process with mean
// mu whose samples up to and including the origin are past (at least
// (Lags−1)·Spacing+1 of them; the last is x[o]).
func (f *Forecaster) Forecast(mean, past []float64, mu float64) {
	o := len(past) - 1
	for h := range mean[:f.Horizon] {
		row := f.w.RawRowView(h)
		m := mu
		for j, wj := range row {
			m += wj * (past[o-(f.Lags-1-j)*f.Spacing] - mu)
		}
		mean[h] = m
	}
}

// spectralACov returns the autocovariance, at lags 0 … maxLag samples, that the
// fitted network implies for the units of population a given the recorded activity in
// the windows (DESIGN.md §4): S_x(f) = a² S_y(f) / |e^{2πif} − (1−a)|² with
// S_y(f) = Σ_b g_ab² S̄_φ,b(f) + 2D_a/a, S̄_φ,b the population-averaged periodogram of
// the centred φ(x_j) over non-overlapping segments of a power-of-two length of at
// least 4·maxLag, then an inverse Fourier transform.
func spectralACov(rec *data.Recording, net *Network, pops []int, ws []window, a, maxLag int) ([]float64, error) {
	nfft := 64
	for nfft < 4*maxLag {
		nfft *= 2
	}
	longest := 0
	for _, w := range ws {
		longest = max(longest, w.hi-w.lo)
	}
	for nfft > longest && nfft/2 > 2*maxLag {
		nfft /= 2
	}
	if nfft > longest {
		return nil, fmt.Errorf("infer: the training window (%d samples) is too short for an autocovariance up to lag %d; "+
			"it needs at least %d: use fewer lags, a smaller spacing or horizon, or a smaller test fraction", longest, maxLag, nfft)
	}
	fft := fourier.NewFFT(nfft)
	npop := len(net.Populations)
	sphi := make([][]float64, npop)
	count := make([]float64, npop)
	for b := range sphi {
		sphi[b] = make([]float64, nfft/2+1)
	}
	seg := make([]float64, nfft)
	coef := make([]complex128, nfft/2+1)
	for j, b := range pops {
		phi := net.Phi[b]
		for _, w := range ws {
			x := rec.Trials[w.trial].Unit(j)
			for lo := w.lo; lo+nfft <= w.hi; lo += nfft {
				mean := 0.0
				for k := range seg {
					seg[k] = phi.Eval(x[lo+k])
					mean += seg[k]
				}
				mean /= float64(nfft)
				for k := range seg {
					seg[k] -= mean
				}
				fft.Coefficients(coef, seg)
				for m, c := range coef {
					sphi[b][m] += real(c)*real(c) + imag(c)*imag(c)
				}
				count[b]++
			}
		}
	}
	step := rec.Step / net.Tau[a]
	sx := make([]complex128, nfft/2+1)
	for m := range sx {
		sy := 2 * net.D[a] / step
		for b := range sphi {
			if count[b] > 0 {
				sy += net.G2[a][b] * sphi[b][m] / (count[b] * float64(nfft))
			}
		}
		z := cmplx.Exp(complex(0, 2*math.Pi*float64(m)/float64(nfft))) - complex(1-step, 0)
		sx[m] = complex(step*step*sy/(real(z)*real(z)+imag(z)*imag(z)), 0)
	}
	c := fft.Sequence(nil, sx)
	acov := make([]float64, maxLag+1)
	for k := range acov {
		acov[k] = c[k] / float64(nfft)
	}
	return acov, nil
}

// ForecastOptions controls PredictForecast.
type ForecastOptions struct {
	// TestFrac and Units are as in StepOptions.
	TestFrac float64
	Units    []string
	// Lags is the number of past samples conditioned on (default 20), Spacing the
	// number of recording steps between them and between forecast points (default 1),
	// Horizon the number of points forecast from each origin (default 10).
	Lags, Spacing, Horizon int
	// ACov, when set, returns the autocovariance of population pop at lags 0 … maxLag
	// recording steps, e.g. from the mean-field (DMFT) solution; nil estimates it from
	// the training window through the fitted spectrum (see PredictForecast).
	ACov    func(pop, maxLag int) ([]float64, error)
	Workers int
}

// PredictForecast forecasts every unit's test window from its own past alone: each unit
// is a stationary Gaussian process around its training-window mean with the
// autocovariance of its population, either opt.ACov or the one the fitted network
// implies through the spectrum S_x(f) = a² (Σ_b g_ab² S̄_φ,b(f) + 2D_a/a) / |e^{2πif} − (1−a)|²,
// S̄_φ,b the population-averaged periodogram of φ(x) over the training window. The test
// window is tiled by forecasts: from the origin just before it, Horizon points at
// Spacing steps, each conditioned on the Lags samples at Spacing up to its origin;
// then the next origin is the last point forecast. Horizon in the result says how
// many spacings ahead each point is. The unit means are plugged in, their
// uncertainty is not propagated.
func PredictForecast(rec *data.Recording, net *Network, opt ForecastOptions) (*Prediction, error) {
	pops, err := net.unitPops(rec)
	if err != nil {
		return nil, err
	}
	if opt.TestFrac == 0 {
		opt.TestFrac = 0.2
	}
	if opt.Lags == 0 {
		opt.Lags = 20
	}
	if opt.Spacing == 0 {
		opt.Spacing = 1
	}
	if opt.Horizon == 0 {
		opt.Horizon = 10
	}
	if opt.Lags < 1 || opt.Spacing < 1 || opt.Horizon < 1 {
		return nil, fmt.Errorf("infer: forecast lags (%d), spacing (%d) and horizon (%d) must be positive", opt.Lags, opt.Spacing, opt.Horizon)
	}
	targets, err := unitIndices(rec, opt.Units)
	if err != nil {
		return nil, err
	}
	cond := (opt.Lags-1)*opt.Spacing + 1
	block := opt.Horizon * opt.Spacing
	train, test, err := splitTime(rec, opt.TestFrac, 1, 1)
	if err != nil {
		return nil, err
	}
	for _, w := range test {
		if w.lo < cond {
			return nil, fmt.Errorf("infer: trial %d: the conditioning window of %d samples at spacing %d spans %d samples, "+
				"but only %d precede the test window; use fewer --lags, a smaller spacing or a smaller test fraction",
				w.trial, opt.Lags, opt.Spacing, cond, w.lo)
		}
		if w.hi-w.lo < block {
			return nil, fmt.Errorf("infer: trial %d: the test window has %d samples, shorter than one forecast of %d points at spacing %d (%d samples); "+
				"use a shorter --horizon or a larger test fraction", w.trial, w.hi-w.lo, opt.Horizon, opt.Spacing, block)
		}
	}
	maxLag := (opt.Lags - 1 + opt.Horizon) * opt.Spacing
	fc := make([]*Forecaster, len(net.Populations))
	for _, i := range targets {
		a := pops[i]
		if fc[a] != nil {
			continue
		}
		var acov []float64
		if opt.ACov != nil {
			acov, err = opt.ACov(a, maxLag)
		} else {
			acov, err = spectralACov(rec, net, pops, train, a, maxLag)
		}
		if err != nil {
			return nil, err
		}
		if fc[a], err = NewForecaster(acov, opt.Lags, opt.Spacing, opt.Horizon); err != nil {
			return nil, fmt.Errorf("infer: population %q: %w", net.Populations[a], err)
		}
	}
	p := &Prediction{Units: make([]string, len(targets))}
	var origins []struct{ trial, o int }
	for _, w := range test {
		tr := rec.Trials[w.trial]
		for o := w.lo - 1; o+block < w.hi; o += block {
			origins = append(origins, struct{ trial, o int }{w.trial, o})
			for h := 1; h <= opt.Horizon; h++ {
				p.Times = append(p.Times, tr.Start+float64(o+h*opt.Spacing)*rec.Step)
				p.Horizon = append(p.Horizon, h)
			}
		}
	}
	m := len(targets) * len(p.Times)
	p.Observed, p.Mean, p.SD = make([]float64, m), make([]float64, m), make([]float64, m)
	parallelFor(len(targets), max(opt.Workers, 1), func(r int) {
		i := targets[r]
		p.Units[r] = rec.Units[i]
		f := fc[pops[i]]
		mu := trainMean(rec, i, train)
		obs, mean, sd := p.unitSlice(p.Observed, r), p.unitSlice(p.Mean, r), p.unitSlice(p.SD, r)
		k := 0
		for _, og := range origins {
			x := rec.Trials[og.trial].Unit(i)
			f.Forecast(mean[k:k+opt.Horizon], x[:og.o+1], mu)
			for h := 1; h <= opt.Horizon; h++ {
				obs[k] = x[og.o+h*opt.Spacing]
				sd[k] = f.sd[h-1]
				k++
			}
		}
	})
	scales, err := trainScales(rec, train)
	if err != nil {
		return nil, err
	}
	p.floorSD(scales, targets)
	return p, nil
}

func trainMean(rec *data.Recording, i int, ws []window) float64 {
	s, n := 0.0, 0
	for _, w := range ws {
		for _, v := range rec.Trials[w.trial].Unit(i)[w.lo:w.hi] {
			s += v
		}
		n += w.hi - w.lo
	}
	return s / float64(n)
}
