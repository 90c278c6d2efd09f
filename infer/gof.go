package infer

import (
	"fmt"
	"math"
	"sort"
)

// Goodness summarises how well a fitted model reproduces a population's residual
// spectrum, the identity S_y(f) ≈ Σ_b g_ab² S_φ,b(f) + 2D_a/a that the spectral
// likelihood rests on.
type Goodness struct {
	Population string
	// MedianRelErr, RMSRelErr and MaxRelErr summarise |S_obs(f)/S_fit(f) − 1| over the
	// frequencies of the spectrum.
	MedianRelErr, RMSRelErr, MaxRelErr float64
	// ExpectedRelErr is the RMS relative error that the sampling noise of the averaged
	// periodogram alone produces when the model is right, 1/√(ordinates averaged per
	// frequency); NaN when unknown. RMSRelErr well above it means misfit.
	ExpectedRelErr float64
	// VarExplained is the fraction of the variance of the residual y explained by the
	// recurrent input Σ_b g_ab² S_φ,b, the rest being private noise 2D_a/a.
	VarExplained float64
}

// Assess computes the relative errors of the fitted spectrum s, with dof periodogram
// ordinates averaged per frequency (0 when unknown). VarExplained is left NaN: it
// needs the model (likelihood.Spectral.Fit gives it).
func Assess(s Spectrum, dof float64) (Goodness, error) {
	g := Goodness{Population: s.Population, ExpectedRelErr: math.NaN(), VarExplained: math.NaN()}
	n := len(s.Freq)
	if n == 0 || len(s.Observed) != n || len(s.Fitted) != n {
		return g, fmt.Errorf("infer: spectrum of population %q has %d frequencies, %d observed and %d fitted values", s.Population, n, len(s.Observed), len(s.Fitted))
	}
	rel := make([]float64, n)
	var ss float64
	for k := range rel {
		if !(s.Fitted[k] > 0) {
			return g, fmt.Errorf("infer: fitted spectrum of population %q is %v at frequency %v; it must be positive", s.Population, s.Fitted[k], s.Freq[k])
		}
		rel[k] = math.Abs(s.Observed[k]/s.Fitted[k] - 1)
		ss += rel[k] * rel[k]
	}
	g.RMSRelErr = math.Sqrt(ss / float64(n))
	sort.Float64s(rel)
	g.MaxRelErr = rel[n-1]
	g.MedianRelErr = median(rel)
	if dof > 0 {
		g.ExpectedRelErr = 1 / math.Sqrt(dof)
	}
	return g, nil
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return 0.5 * (sorted[n/2-1] + sorted[n/2])
}

type measure struct {
	name  string
	value float64
}

// measures lists g's numbers under the names the result file uses.
func (g Goodness) measures() []measure {
	return []measure{
		{"median_rel_error", g.MedianRelErr},
		{"rms_rel_error", g.RMSRelErr},
		{"max_rel_error", g.MaxRelErr},
		{"expected_rel_error", g.ExpectedRelErr},
		{"var_explained", g.VarExplained},
	}
}

func (g *Goodness) set(name string, v float64) error {
	switch name {
	case "median_rel_error":
		g.MedianRelErr = v
	case "rms_rel_error":
		g.RMSRelErr = v
	case "max_rel_error":
		g.MaxRelErr = v
	case "expected_rel_error":
		g.ExpectedRelErr = v
	case "var_explained":
		g.VarExplained = v
	default:
		return fmt.Errorf("unknown goodness-of-fit measure %q", name)
	}
	return nil
}
