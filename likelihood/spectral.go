package likelihood

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Spectral is the rate-function likelihood of the network model in its stationary
// Whittle form (DESIGN.md §4). Unit i of population a has residual spectrum
//
//	S_a(f) = Σ_b g_ab² S_φ,b(f) + 2D_a/α_a,   α_a = Δ/τ_a,
//
// and, with n_a the unit-segments of population a,
//
//	log L = −Σ_a n_a Σ_f w_f [log S_a(f) + Ī_a(f)/S_a(f)] − Σ_a n_a L log α_a,
//
// over ordinates f = 1..L/2 (or up to SpectralOptions.MaxFreq) with w_f = 1, except
// w = ½ at the Nyquist ordinate, whose periodogram is real (one degree of freedom, not
// two). The DC ordinate is left out: it carries the means μ and J0·m, which this form
// does not model (nor does it model J0 elsewhere: the spectral form assumes J0 = 0,
// the fluctuations of the population mean being O(1/N)). The last term is
// the Jacobian 1/α per sample of the change from x to the residual; it makes
// likelihoods at different τ comparable (ProfileTau). (L, not L−1: the filter taking
// the residual at the true α to the one at α' has gain 1 at f = 0, so the DC ordinate
// left out carries none of the α-dependence of the log-determinant.)
//
// τ is weakly identified in this form: a wrong α' turns the residual into the true
// one filtered by a gain that is 1 at low and α/α' at high frequencies, which g² S_φ
// (low) and the noise level (high) largely absorb, and by Szegő's theorem the
// log-determinant and the Jacobian then cancel. What identifies τ is only how well the
// family Σ_b g_ab² S_φ,b + const fits the filtered spectrum.
//
// Eval returns log L − Offset(), that is −Σ_a n_a Σ_f w_f [r − log r − 1] with
// r = Ī_a(f)/S_a(f): the terms that do not depend on the parameters are left out, so
// that the value is minus a sum of small non-negative terms (about half the number of
// ordinates at the optimum when the model fits, since Ī_a/S_a − 1 = O(1/√n_a)) and keeps
// full relative precision in optimisation and finite differences.
//
// Periodograms are compared with periodograms over the same segments, so no taper is
// needed: given the paths, E_J[I_y] = g² Ī_φ + 2D/α holds segment by segment.
//
// Parameters, in order: g2 (g_ab², row-major over a, b) then D (D_a), all with Log
// transforms. A truth on the boundary (D = 0 or g_ab = 0) is approached as θ → −∞,
// where the gradient in θ vanishes in proportion to the value: an optimiser stopping
// on the gradient norm stops at a value many orders of magnitude below the scale of
// the data (D̂ < 1e-8 in the tests, truth D = 0), which is the estimate "zero"; its
// log-normal interval then extends to 0.
type Spectral struct {
	stats  *Stats
	alpha  []float64
	count  []float64
	y, phi [][]float64 // [pop][ordinate 1..L/2]
	weight []float64
	params []Param
}

// SpectralOptions configures NewSpectral.
type SpectralOptions struct {
	// Tau is the time constant of each population, in the recording's time unit; nil
	// means 1 for every population. One value is used for every population.
	Tau []float64
	// MaxFreq, when positive, leaves out the ordinates above this frequency (cycles
	// per time unit of the recording), e.g. where binning or measurement noise
	// dominates. Zero fits up to the Nyquist frequency.
	MaxFreq float64
}

// NewSpectral returns the spectral objective of the statistics. Its initial point is
// the NNLS estimate (SpectralNNLS), floored at 1e-3 of the scale of each coefficient
// so that the Log transforms are finite.
func NewSpectral(st *Stats, opt SpectralOptions) (*Spectral, error) {
	P := len(st.Pops)
	tau, err := popTaus(opt.Tau, st.Pops)
	if err != nil {
		return nil, err
	}
	s := &Spectral{stats: st, alpha: make([]float64, P), count: make([]float64, P)}
	half := st.Segment / 2
	nf := half // ordinates 1..nf
	if opt.MaxFreq < 0 || math.IsNaN(opt.MaxFreq) {
		return nil, fmt.Errorf("likelihood: maximum frequency %v is negative", opt.MaxFreq)
	}
	if opt.MaxFreq > 0 {
		nf = min(half, int(math.Floor(opt.MaxFreq*float64(st.Segment)*st.Step+1e-9)))
		if nf < 4 {
			return nil, fmt.Errorf("likelihood: maximum frequency %v leaves %d frequencies of segments of %d samples; raise it above %.4g", opt.MaxFreq, max(nf, 0), st.Segment, 4/(float64(st.Segment)*st.Step))
		}
	}
	s.weight = make([]float64, nf)
	for f := range s.weight {
		s.weight[f] = 1
	}
	if nf == half {
		s.weight[half-1] = 0.5 // the Nyquist ordinate
	}
	for a := range P {
		if !(st.Total.Count[a] > 0) {
			return nil, fmt.Errorf("likelihood: population %q has no complete segment", st.Pops[a])
		}
		s.alpha[a] = st.Step / tau[a]
		s.count[a] = st.Total.Count[a]
		s.y = append(s.y, st.Total.Residual(a, s.alpha[a])[1:nf+1])
		s.phi = append(s.phi, st.Total.Phi(a)[1:nf+1])
		for f, v := range s.phi[a] {
			if !(v > 0) {
				return nil, fmt.Errorf("likelihood: the spectrum of φ(x) of population %q is %v at frequency %.4g; the units may be saturated or constant", st.Pops[a], v, float64(f+1)/(float64(st.Segment)*st.Step))
			}
		}
	}
	init, err := s.nnls()
	if err != nil {
		return nil, err
	}
	for a := range P {
		for b := range P {
			name := "g2"
			if P > 1 {
				name = fmt.Sprintf("g2[%s,%s]", st.Pops[a], st.Pops[b])
			}
			s.params = append(s.params, Param{Name: name, Transform: Log, Init: init.G2[a][b]})
		}
	}
	for a := range P {
		name := "D"
		if P > 1 {
			name = fmt.Sprintf("D[%s]", st.Pops[a])
		}
		s.params = append(s.params, Param{Name: name, Transform: Log, Init: init.D[a]})
	}
	s.floorInit()
	return s, nil
}

func popTaus(tau []float64, pops []string) ([]float64, error) {
	out := make([]float64, len(pops))
	for a := range out {
		switch {
		case tau == nil:
			out[a] = 1
		case len(tau) == 1:
			out[a] = tau[0]
		case len(tau) == len(pops):
			out[a] = tau[a]
		default:
			return nil, fmt.Errorf("likelihood: %d time constants for %d populations %q; give one, or one per population", len(tau), len(pops), pops)
		}
		if !(out[a] > 0) || math.IsInf(out[a], 0) {
			return nil, fmt.Errorf("likelihood: time constant τ = %v of population %q is not positive; give --tau > 0 in the recording's time unit", out[a], pops[a])
		}
	}
	return out, nil
}

// floorInit raises initial values at zero to 1e-3 of their coefficient's scale.
func (s *Spectral) floorInit() {
	P := len(s.alpha)
	for a := range P {
		var ymean float64
		for _, v := range s.y[a] {
			ymean += v
		}
		ymean /= float64(len(s.y[a]))
		for b := range P {
			var pm float64
			for _, v := range s.phi[b] {
				pm += v
			}
			pm /= float64(len(s.phi[b]))
			p := &s.params[a*P+b]
			p.Init = math.Max(p.Init, 1e-3*ymean/pm)
		}
		p := &s.params[P*P+a]
		p.Init = math.Max(p.Init, 1e-3*ymean*s.alpha[a]/2)
	}
}

// Offset returns log L − Eval(θ), the part of the Whittle log-likelihood that does not
// depend on θ: −Σ_a n_a [Σ_f w_f (log Ī_a(f) + 1) + L log α_a].
func (s *Spectral) Offset() float64 {
	var c float64
	L := float64(s.stats.Segment)
	for a := range s.alpha {
		var sum float64
		for f, w := range s.weight {
			sum += w * (math.Log(s.y[a][f]) + 1)
		}
		c -= s.count[a] * (sum + L*math.Log(s.alpha[a]))
	}
	return c
}

// Params returns the parameter descriptions.
func (s *Spectral) Params() []Param { return s.params }

// Pops returns the population names.
func (s *Spectral) Pops() []string { return s.stats.Pops }

// Natural returns g_ab² and D_a at theta.
func (s *Spectral) Natural(theta []float64) (g2 [][]float64, d []float64) {
	P := len(s.alpha)
	g2 = make([][]float64, P)
	for a := range P {
		g2[a] = make([]float64, P)
		for b := range P {
			g2[a][b] = math.Exp(theta[a*P+b])
		}
	}
	d = make([]float64, P)
	for a := range P {
		d[a] = math.Exp(theta[P*P+a])
	}
	return g2, d
}

// Theta returns the unconstrained coordinates of g_ab² and D_a.
func (s *Spectral) Theta(g2 [][]float64, d []float64) []float64 {
	var th []float64
	for _, row := range g2 {
		for _, v := range row {
			th = append(th, math.Log(v))
		}
	}
	for _, v := range d {
		th = append(th, math.Log(v))
	}
	return th
}

// Eval returns the log-likelihood at theta and stores its gradient in grad if non-nil.
func (s *Spectral) Eval(theta, grad []float64) float64 {
	P := len(s.alpha)
	g2, d := s.Natural(theta)
	if grad != nil {
		for k := range grad {
			grad[k] = 0
		}
	}
	var ll float64
	for a := range P {
		noise := 2 * d[a] / s.alpha[a]
		var sum, gd float64
		gb := make([]float64, P)
		for f, w := range s.weight {
			S := noise
			for b := range P {
				S += g2[a][b] * s.phi[b][f]
			}
			r := s.y[a][f] / S
			sum += w * (r - math.Log(r) - 1)
			if grad != nil {
				c := w * (1 - r) / S // ∂/∂S of the bracket
				for b := range P {
					gb[b] += c * s.phi[b][f]
				}
				gd += c
			}
		}
		n := s.count[a]
		ll -= n * sum
		if grad != nil {
			for b := range P {
				grad[a*P+b] = -n * gb[b] * g2[a][b]
			}
			grad[P*P+a] = -n * gd * noise
		}
	}
	return ll
}

// Fisher returns the expected Whittle information at theta in the unconstrained
// coordinates, I_jk = Σ_a n_a Σ_f w_f (∂S_a/∂θ_j)(∂S_a/∂θ_k)/S_a². It depends on the
// data only through the spectra of φ, so its correlations show how well the design
// separates the parameters: populations whose S_φ have nearly the same shape give
// correlations of g²_ab estimates near ±1, whatever the amount of data. (Its inverse
// is too narrow or too wide as an error estimate; see Jackknife.)
func (s *Spectral) Fisher(theta []float64) *mat.SymDense {
	P := len(s.alpha)
	g2, d := s.Natural(theta)
	n := len(s.params)
	info := mat.NewSymDense(n, nil)
	grad := make([]float64, n)
	for a := range P {
		noise := 2 * d[a] / s.alpha[a]
		for f, w := range s.weight {
			S := noise
			for b := range P {
				S += g2[a][b] * s.phi[b][f]
			}
			for k := range grad {
				grad[k] = 0
			}
			for b := range P {
				grad[a*P+b] = g2[a][b] * s.phi[b][f] // ∂S/∂log g²_ab
			}
			grad[P*P+a] = noise // ∂S/∂log D_a
			c := s.count[a] * w / (S * S)
			for j := range n {
				if grad[j] == 0 {
					continue
				}
				for k := j; k < n; k++ {
					if grad[k] != 0 {
						info.SetSym(j, k, info.At(j, k)+c*grad[j]*grad[k])
					}
				}
			}
		}
	}
	return info
}

// NNLSFit is the poster estimator: g_ab² and D_a from the non-negative least-squares
// regression of the residual spectrum on the spectra of φ.
type NNLSFit struct {
	G2 [][]float64
	D  []float64
}

// SpectralNNLS returns the NNLS estimate of g_ab² and D_a for the given time constants
// (as SpectralOptions.Tau).
func SpectralNNLS(st *Stats, tau []float64) (NNLSFit, error) {
	s, err := NewSpectral(st, SpectralOptions{Tau: tau})
	if err != nil {
		return NNLSFit{}, err
	}
	return s.nnls()
}

// nnls regresses, for each population a, Ī_a(f) on (1, S_φ,b(f)) with non-negative
// coefficients (2D_a/α_a, g_ab²), weighting ordinate f by w_f/S_a(f)² (the inverse
// variance of a periodogram ordinate) with S_a first the observed spectrum and then,
// twice, the fitted one. This is iteratively reweighted least squares towards the
// Whittle estimate, and is its starting point.
func (s *Spectral) nnls() (NNLSFit, error) {
	P := len(s.alpha)
	nf := len(s.weight)
	out := NNLSFit{G2: make([][]float64, P), D: make([]float64, P)}
	A := mat.NewDense(nf, P+1, nil)
	b := make([]float64, nf)
	for a := range P {
		S := append([]float64(nil), s.y[a]...)
		var coef []float64
		for range 3 {
			for f := range nf {
				w := math.Sqrt(s.weight[f]) / S[f]
				A.Set(f, 0, w)
				for c := range P {
					A.Set(f, c+1, w*s.phi[c][f])
				}
				b[f] = w * s.y[a][f]
			}
			var err error
			coef, err = NNLS(A, b)
			if err != nil {
				return NNLSFit{}, fmt.Errorf("likelihood: population %q: %v", s.stats.Pops[a], err)
			}
			floor := 1e-6 * s.y[a][0]
			for f := range nf {
				v := coef[0]
				for c := range P {
					v += coef[c+1] * s.phi[c][f]
				}
				S[f] = math.Max(v, floor)
			}
		}
		out.D[a] = coef[0] * s.alpha[a] / 2
		out.G2[a] = coef[1:]
	}
	return out, nil
}

// GoodnessOfFit compares the observed residual spectra with the fitted ones.
type GoodnessOfFit struct {
	Freq     []float64   // the fitted ordinates (1..L/2 or up to MaxFreq), cycles per time unit
	Observed [][]float64 // [pop][f] population-averaged residual periodogram Ī_a
	Model    [][]float64 // [pop][f] fitted S_a = Σ_b g_ab² S_φ,b + 2D_a/α_a
	// RelErr[a] is the median over frequencies of |Ī_a/S_a − 1|. With n_a
	// unit-segments per ordinate a perfect fit leaves about 0.67/√n_a (units being
	// correlated, somewhat more).
	RelErr []float64
	// Explained[a] is the fraction of the variance of the residual (without its mean)
	// that the network input Σ_b g_ab² S_φ,b accounts for; the rest is noise 2D_a/α_a.
	Explained []float64
}

// Fit returns the goodness of fit at theta.
func (s *Spectral) Fit(theta []float64) GoodnessOfFit {
	P := len(s.alpha)
	g2, d := s.Natural(theta)
	gf := GoodnessOfFit{Freq: s.stats.Frequencies()[1 : len(s.weight)+1], RelErr: make([]float64, P), Explained: make([]float64, P)}
	for a := range P {
		model := make([]float64, len(s.weight))
		rel := make([]float64, len(s.weight))
		var net, tot float64
		for f, w := range s.weight {
			var sig float64
			for b := range P {
				sig += g2[a][b] * s.phi[b][f]
			}
			model[f] = sig + 2*d[a]/s.alpha[a]
			rel[f] = math.Abs(s.y[a][f]/model[f] - 1)
			net += 2 * w * sig
			tot += 2 * w * s.y[a][f]
		}
		gf.Observed = append(gf.Observed, append([]float64(nil), s.y[a]...))
		gf.Model = append(gf.Model, model)
		gf.RelErr[a] = median(rel)
		gf.Explained[a] = math.Min(1, net/tot)
	}
	return gf
}

func median(x []float64) float64 {
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}

// TauProfile is the profile log-likelihood of the spectral objective over a grid of
// time constants (each grid value used for every population).
type TauProfile struct {
	Tau    []float64
	LogLik []float64 // maximum over g², D at each τ
	Best   int       // index of the largest LogLik
	// Interval is the range of grid values whose LogLik is within 1.92 (half the 95%
	// quantile of χ²₁) of the best. The Whittle likelihood treats units as independent,
	// so this interval is, if anything, too narrow.
	Interval [2]float64
	// Flat reports that the interval reaches an end of the grid: the data do not
	// bound τ within it, and the caller should say so.
	Flat bool
}

// ProfileTau maximises the spectral objective (with options opt, whose Tau it sets)
// at each τ of the grid with maximise
// (which returns the maximum of Eval; package infer supplies it) and returns the
// profile of the full log-likelihood, Offset included.
//
// Use it as a diagnostic, not an estimator: for weakly coupled units it peaks at the
// true τ, but for a strongly coupled network (g = 1.5, 300 units, segments of 64 or
// 256) the O(1/L) edge effects of the periodogram, summed over many unit-segments,
// outweigh the weak information on τ and the profile rises towards the largest τ of the
// grid. Give τ (--tau) or estimate it with Exact.
func ProfileTau(st *Stats, grid []float64, opt SpectralOptions, maximise func(Objective) (float64, error)) (TauProfile, error) {
	if len(grid) < 2 {
		return TauProfile{}, fmt.Errorf("likelihood: a τ profile needs at least two grid values, got %d", len(grid))
	}
	p := TauProfile{Tau: append([]float64(nil), grid...), LogLik: make([]float64, len(grid))}
	for k, tau := range grid {
		opt.Tau = []float64{tau}
		obj, err := NewSpectral(st, opt)
		if err != nil {
			return p, err
		}
		if p.LogLik[k], err = maximise(obj); err != nil {
			return p, fmt.Errorf("likelihood: maximising at τ = %v: %v", tau, err)
		}
		p.LogLik[k] += obj.Offset()
		if p.LogLik[k] > p.LogLik[p.Best] {
			p.Best = k
		}
	}
	lo, hi := p.Best, p.Best
	for lo > 0 && p.LogLik[lo-1] >= p.LogLik[p.Best]-1.92 {
		lo--
	}
	for hi+1 < len(grid) && p.LogLik[hi+1] >= p.LogLik[p.Best]-1.92 {
		hi++
	}
	p.Interval = [2]float64{grid[lo], grid[hi]}
	p.Flat = lo == 0 || hi == len(grid)-1
	return p, nil
}
