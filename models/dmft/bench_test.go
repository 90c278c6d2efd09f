package dmft

import (
	"testing"

	"github.com/ldfit/ldfit/models"
)

// BenchmarkSolve times a full solve (automatic lag grid, tolerance 1e-10) for the
// cases of the published values.
func BenchmarkSolve(b *testing.B) {
	for _, c := range []struct {
		name string
		phi  models.Phi
		g, D float64
		step float64
	}{
		{"tanh/g=1.5", models.Tanh{}, 1.5, 0, 0},
		{"tanh/g=2", models.Tanh{}, 2, 0, 0},
		{"tanh/g=3", models.Tanh{}, 3, 0, 0},
		{"erf/g=2", models.ErfUnitSlope, 2, 0, 0},
		{"tanh/g=2,D=0.5", models.Tanh{}, 2, 0.5, 0},
		{"tanh/g=2,D=0.5,euler", models.Tanh{}, 2, 0.5, 0.05},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Solve(Single(c.phi, c.g, c.D), Options{Step: c.step}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
