package infer

import (
	"fmt"
	"math"
)

// Scores measure a Prediction against the observed values.
type Scores struct {
	// R2 is 1 − Σ(observed − mean)² / Σ(observed − unit mean)², the unit means taken over
	// the predicted samples: the fraction of each unit's held-out variance predicted.
	R2 float64
	// UnitR2 is the same per unit; NaN for a unit constant over the predicted samples,
	// which has no variance to explain.
	UnitR2 []float64
	// LPD is the mean log predictive density of an observed sample, in nats.
	LPD float64
	// Cover50 and Cover90 are the fractions of observed samples inside the central 50%
	// and 90% predictive intervals.
	Cover50, Cover90 float64
	// ZMean and ZVar are the mean and variance of the standardised errors
	// (observed − mean)/sd: 0 and 1 for calibrated predictions.
	ZMean, ZVar float64
	Samples     int
}

// Quantiles of the standard normal bounding its central 50% and 90%.
const (
	z50 = 0.6744897501960817
	z90 = 1.6448536269514722
)

// Score returns the scores of p. It fails when a standard deviation is not positive
// or a value is not finite.
func Score(p *Prediction) (Scores, error) {
	n := len(p.Times)
	s := Scores{UnitR2: make([]float64, len(p.Units)), Samples: n * len(p.Units)}
	if s.Samples == 0 {
		return s, fmt.Errorf("infer: no predicted sample to score")
	}
	var sse, sst, lpd, c50, c90, zs, zz float64
	for i := range p.Units {
		obs, mean, sd := p.unitSlice(p.Observed, i), p.unitSlice(p.Mean, i), p.unitSlice(p.SD, i)
		avg := 0.0
		for _, o := range obs {
			avg += o
		}
		avg /= float64(n)
		var ue, ut float64
		for k, o := range obs {
			if !(sd[k] > 0) || math.IsInf(sd[k], 0) || math.IsNaN(mean[k]) || math.IsInf(mean[k], 0) || math.IsNaN(o) {
				return s, fmt.Errorf("infer: unit %q at t = %v: mean %v, sd %v, observed %v; sd must be positive and all finite",
					p.Units[i], p.Times[k], mean[k], sd[k], o)
			}
			e := o - mean[k]
			z := e / sd[k]
			ue += e * e
			ut += (o - avg) * (o - avg)
			lpd += -0.5*z*z - math.Log(sd[k]) - 0.5*math.Log(2*math.Pi)
			if math.Abs(z) <= z50 {
				c50++
			}
			if math.Abs(z) <= z90 {
				c90++
			}
			zs += z
			zz += z * z
		}
		s.UnitR2[i] = math.NaN()
		if ut > 0 {
			s.UnitR2[i] = 1 - ue/ut
		}
		sse += ue
		sst += ut
	}
	m := float64(s.Samples)
	s.R2 = 1 - sse/sst
	s.LPD = lpd / m
	s.Cover50, s.Cover90 = c50/m, c90/m
	s.ZMean = zs / m
	s.ZVar = zz/m - s.ZMean*s.ZMean
	return s, nil
}
