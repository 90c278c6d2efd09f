package dmft

import (
	"math"
	"testing"

	"github.com/ldfit/ldfit/models"
)

// TestJacobian checks the Newton step against finite differences of the residual:
// along the step (dx, dz), r(x + ε·dx) ≈ (1 − ε)·r(x) to first order in ε, for every
// lag and mean equation, in a two-population network with mean input.
func TestJacobian(t *testing.T) {
	for _, step := range []float64{0, 0.1} {
		net := Network{
			Pops: []Population{{Phi: models.Tanh{}, Tau: 1, D: 0.3, Mu: 0.2}, {Phi: models.Logistic{}, Tau: 0.7, D: 0.1, Mu: -0.4}},
			G:    [][]float64{{1.5, 0.8}, {1.1, 0.6}},
			J0:   [][]float64{{0.5, -1}, {0.8, -0.3}},
		}
		s := newSolver(net, Options{Step: step, Spacing: 0.1}, 0.1, 200)
		if err := s.start(nil); err != nil {
			t.Fatal(err)
		}
		// Move away from the fixed point so that the residual is not small.
		for a := range s.P {
			for k := range s.L {
				s.d[a][k] *= 1 + 0.05*math.Cos(float64(k+a))
			}
			s.mean[a] += 0.1
		}
		s.evaluate(false)
		r, rm := s.residual()
		dx, dz, err := s.newtonStep(r, rm)
		if err != nil {
			t.Fatal(err)
		}
		const eps = 1e-6
		for a := range s.P {
			for k := range s.L {
				s.d[a][k] += eps * dx[k*s.P+a]
			}
			s.mean[a] += eps * dz[s.P+a]
		}
		s.evaluate(false)
		r2, rm2 := s.residual()
		scale := 0.0
		for _, v := range r {
			scale = math.Max(scale, math.Abs(v))
		}
		for i := range r {
			if want := (1 - eps) * r[i]; math.Abs(r2[i]-want) > 1e-6*eps*scale+1e-15 {
				t.Fatalf("step %g: lag row %d: r(x + ε·dx) = %.15g, (1 − ε)·r = %.15g", step, i, r2[i], want)
			}
		}
		for i := range rm {
			if want := (1 - eps) * rm[i]; math.Abs(rm2[i]-want) > 1e-6*eps {
				t.Fatalf("step %g: mean row %d: r(x + ε·dx) = %.15g, (1 − ε)·r = %.15g", step, i, rm2[i], want)
			}
		}
	}
}
