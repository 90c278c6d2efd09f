package infer

import (
	"math"
	"testing"
)

// Several steps ahead on the simulated network with known parameters: iterating the
// mean and propagating the variance (mean-field spread through φ') keeps the
// intervals calibrated, and the predictions lose accuracy with the horizon.
func TestPredictStepAheadCalibration(t *testing.T) {
	rec := calibrationRecording()
	net := singleNetwork(1.5, 0.5, 1)
	prevR2 := 1.0
	for _, h := range []int{1, 3, 10} {
		p, err := PredictStep(rec, net, StepOptions{TestFrac: 0.2, Ahead: h, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		s, err := Score(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%2d ahead: R² %.4f LPD %.4f cover50 %.4f cover90 %.4f z mean %.4f var %.4f", h, s.R2, s.LPD, s.Cover50, s.Cover90, s.ZMean, s.ZVar)
		if math.Abs(s.ZVar-1) > 0.1 || math.Abs(s.Cover50-0.5) > 0.03 || math.Abs(s.Cover90-0.9) > 0.03 {
			t.Errorf("%d steps ahead: z variance %.4f, coverage %.4f and %.4f; want 1 ± 0.1, 0.5 and 0.9 ± 0.03", h, s.ZVar, s.Cover50, s.Cover90)
		}
		if !(s.R2 < prevR2) {
			t.Errorf("%d steps ahead: R² %.4f not below that of fewer steps %.4f", h, s.R2, prevR2)
		}
		prevR2 = s.R2
	}
}
