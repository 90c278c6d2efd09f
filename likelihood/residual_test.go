package likelihood

import (
	"math"
	"testing"
)

func TestResidualInvertsEulerStep(t *testing.T) {
	const alpha = 0.2
	input := []float64{0.3, -1, 2, 0.5, 0}
	x := []float64{1}
	for _, u := range input { // x[k+1] = x[k] + α(−x[k] + u[k])
		x = append(x, x[len(x)-1]+alpha*(-x[len(x)-1]+u))
	}
	y := Residual(nil, x, alpha)
	for k := range input {
		if math.Abs(y[k]-input[k]) > 1e-14 {
			t.Fatalf("y[%d] = %v, want %v", k, y[k], input[k])
		}
	}
}

func TestPeriodogramParseval(t *testing.T) {
	x := make([]float64, 64)
	var energy float64
	for k := range x {
		x[k] = math.Sin(float64(k*k)) + 0.1*float64(k%5)
		energy += x[k] * x[k]
	}
	p, err := Periodogram(x)
	if err != nil {
		t.Fatal(err)
	}
	sum := p[0] + p[32]
	for f := 1; f < 32; f++ {
		sum += 2 * p[f]
	}
	if math.Abs(sum-energy) > 1e-12*energy {
		t.Errorf("Σ periodogram %v, Σx² %v", sum, energy)
	}
	if _, err := Periodogram(x[:60]); err == nil {
		t.Error("length 60 accepted")
	}
}
