package infer

import (
	"errors"
	"fmt"
	"math"

	"github.com/ldfit/ldfit/likelihood"
)

// NoiseFloor is the smallest noise variance σ_ε² an evidence maximisation returns. The
// evidence of a classification is often largest for vanishing noise (a kernel that
// interpolates the one-hot labels); below about 1e-6 of the kernel scale the
// predictions no longer change, while the condition number of K + σ_ε² I, and with it
// the round-off in the evidence and its gradient, keeps growing until the optimiser
// cannot make progress.
const NoiseFloor = 1e-6

// noiseGrid are the noise variances scanned for a starting point, from nearly pure
// noise down to the floor.
var noiseGrid = []float64{1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, NoiseFloor}

// FitEvidence maximises the Gaussian-process evidence of gp over (σ_w², σ_b², σ_ε²) in
// log space by L-BFGS with opt.Restarts seeded restarts (see Fit), keeping σ_ε² at or
// above NoiseFloor: below the floor the objective is held at its value on the floor,
// so that when the evidence is still rising there the search stops on the flat part
// instead of chasing σ_ε² → 0. The estimate reports the floor in that case.
//
// Without opt.Init the start is gp.Arch's σ_w², σ_b² and the noise variance, among
// gp.Noise and a grid from 1 down to NoiseFloor, with the largest evidence there; the
// scan costs one Cholesky factorisation per value.
//
// An optimum that did not meet Fit's convergence criteria is returned with Converged
// false and an error wrapping ErrNotConverged; the caller decides whether to use it.
func FitEvidence(gp *likelihood.GP, opt FitOptions) (*Estimate, error) {
	if opt.Init == nil {
		sw2, sb2 := gp.Arch.SigmaW2, math.Max(gp.Arch.SigmaB2, 1e-6)
		opt.Init = []float64{sw2, sb2, scanNoise(gp, sw2, sb2)}
	}
	f := &flooredNoise{gp: gp, logFloor: math.Log(NoiseFloor)}
	est, err := Fit(f, opt)
	if err != nil && est == nil {
		return nil, evidenceError(gp, err)
	}
	if !(est.Theta[2] >= f.logFloor) { // also when the flat region let θ run to ±Inf or NaN
		est.Theta[2], est.Value[2] = f.logFloor, NoiseFloor
		est.Status += fmt.Sprintf("; noise variance at the floor %g, where the evidence is still rising", NoiseFloor)
	}
	return checked(gp, est, err)
}

func evidenceError(gp *likelihood.GP, err error) error {
	if gerr := gp.Err(); gerr != nil {
		return fmt.Errorf("infer: evidence of %s: %w", gp.Arch, gerr)
	}
	return fmt.Errorf("infer: evidence of %s: %w", gp.Arch, err)
}

func checked(gp *likelihood.GP, est *Estimate, err error) (*Estimate, error) {
	if math.IsInf(est.LogLik, 0) || math.IsNaN(est.LogLik) {
		return nil, fmt.Errorf("infer: evidence of %s is %v at the optimum", gp.Arch, est.LogLik)
	}
	if err != nil && !errors.Is(err, ErrNotConverged) {
		return nil, err
	}
	return est, err
}

// scanNoise returns the noise variance, among gp.Noise and noiseGrid, with the largest
// evidence at σ_w², σ_b² (the kernel is computed once for all of them).
func scanNoise(gp *likelihood.GP, sw2, sb2 float64) float64 {
	best, bestLL := gp.Noise, math.Inf(-1)
	theta := []float64{math.Log(sw2), math.Log(sb2), 0}
	for _, v := range append([]float64{gp.Noise}, noiseGrid...) {
		theta[2] = math.Log(math.Max(v, NoiseFloor))
		if ll := gp.Eval(theta, nil); ll > bestLL {
			best, bestLL = math.Max(v, NoiseFloor), ll
		}
	}
	return best
}

// flooredNoise is the evidence with the noise variance clamped to NoiseFloor from
// below: flat, with a zero noise gradient, under the floor.
type flooredNoise struct {
	gp       *likelihood.GP
	logFloor float64
}

func (f *flooredNoise) Params() []likelihood.Param { return f.gp.Params() }

func (f *flooredNoise) Eval(theta, grad []float64) float64 {
	if theta[2] >= f.logFloor {
		return f.gp.Eval(theta, grad)
	}
	th := []float64{theta[0], theta[1], f.logFloor}
	v := f.gp.Eval(th, grad)
	if grad != nil {
		grad[2] = 0
	}
	return v
}
