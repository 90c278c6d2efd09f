package infer

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestScoreClosedForm(t *testing.T) {
	// One unit, four samples, unit sd: errors 0, 1, −1, 2 → z the same.
	p := &Prediction{
		Units:    []string{"a"},
		Times:    []float64{0, 1, 2, 3},
		Observed: []float64{1, 2, 3, 4},
		Mean:     []float64{1, 1, 4, 2},
		SD:       []float64{1, 1, 1, 1},
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	// SSE = 0+1+1+4 = 6, SST about 2.5 = 5.
	if want := 1 - 6.0/5; math.Abs(s.R2-want) > 1e-15 || math.Abs(s.UnitR2[0]-want) > 1e-15 {
		t.Errorf("R² = %v (unit %v), want %v", s.R2, s.UnitR2[0], want)
	}
	if want := -0.5*math.Log(2*math.Pi) - 6.0/8; math.Abs(s.LPD-want) > 1e-15 {
		t.Errorf("LPD = %v, want %v", s.LPD, want)
	}
	if s.Cover50 != 0.25 || s.Cover90 != 0.75 {
		t.Errorf("coverage %v, %v; want 0.25, 0.75", s.Cover50, s.Cover90)
	}
	if s.ZMean != 0.5 || math.Abs(s.ZVar-(6.0/4-0.25)) > 1e-15 {
		t.Errorf("z mean %v var %v; want 0.5, 1.25", s.ZMean, s.ZVar)
	}
}

// Observations drawn from the predictive distributions themselves score as calibrated,
// with the LPD of a Gaussian: −½ log(2πe) − E log σ.
func TestScoreOfExactPredictive(t *testing.T) {
	const n = 200000
	rng := rand.New(rand.NewPCG(5, 6))
	p := &Prediction{Units: []string{"a", "b"}, Times: make([]float64, n/2)}
	elogsd := 0.0
	for i := 0; i < n; i++ {
		m, sd := rng.NormFloat64(), 0.5+rng.Float64()
		p.Mean = append(p.Mean, m)
		p.SD = append(p.SD, sd)
		p.Observed = append(p.Observed, m+sd*rng.NormFloat64())
		elogsd += math.Log(sd) / n
	}
	s, err := Score(p)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(s.Cover50-0.5) > 0.005 || math.Abs(s.Cover90-0.9) > 0.005 {
		t.Errorf("coverage %v, %v; want 0.5, 0.9 within 0.005", s.Cover50, s.Cover90)
	}
	if want := -0.5*math.Log(2*math.Pi*math.E) - elogsd; math.Abs(s.LPD-want) > 0.01 {
		t.Errorf("LPD %v, want %v", s.LPD, want)
	}
	if math.Abs(s.ZMean) > 0.01 || math.Abs(s.ZVar-1) > 0.01 {
		t.Errorf("z mean %v var %v; want 0, 1", s.ZMean, s.ZVar)
	}
}

func TestScoreBadInput(t *testing.T) {
	p := &Prediction{Units: []string{"a"}, Times: []float64{0}, Observed: []float64{1}, Mean: []float64{1}, SD: []float64{0}}
	if _, err := Score(p); err == nil {
		t.Error("zero sd: no error")
	}
	if _, err := Score(&Prediction{}); err == nil {
		t.Error("empty prediction: no error")
	}
}
