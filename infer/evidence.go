package infer

import (
	"errors"
	"fmt"
	"math"

	"github.com/ldfit/ldfit/likelihood"
)

// FitEvidence maximises the Gaussian-process evidence of gp over (σ_w², σ_b², σ_ε²) in
// log space by L-BFGS with opt.Restarts seeded restarts (see Fit). Starting points come
// from gp.Arch and gp.Noise unless opt.Init is set.
//
// An optimum that did not meet Fit's convergence criteria is returned with Converged
// false and an error wrapping ErrNotConverged; the caller decides whether to use it.
// When the kernel could not be factorised at the start, the error says why.
func FitEvidence(gp *likelihood.GP, opt FitOptions) (*Estimate, error) {
	est, err := Fit(gp, opt)
	if err != nil && est == nil {
		if gerr := gp.Err(); gerr != nil {
			return nil, fmt.Errorf("infer: evidence of %s: %w", gp.Arch, gerr)
		}
		return nil, fmt.Errorf("infer: evidence of %s: %w", gp.Arch, err)
	}
	if math.IsInf(est.LogLik, 0) || math.IsNaN(est.LogLik) {
		return nil, fmt.Errorf("infer: evidence of %s is %v at the optimum", gp.Arch, est.LogLik)
	}
	if err != nil && !errors.Is(err, ErrNotConverged) {
		return nil, err
	}
	return est, err
}
