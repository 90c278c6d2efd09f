package infer

import (
	"testing"

	"github.com/ldfit/ldfit/likelihood"
	"github.com/ldfit/ldfit/models"
	"github.com/ldfit/ldfit/models/network"
)

// BenchmarkFitExact times the exact method on N = 500 units and T = 20,000 samples:
// the one-off decomposition (NewExact), and the maximisation with its Laplace errors.
func BenchmarkFitExact(b *testing.B) {
	rec, err := network.Simulate(network.Single(500, 1.6, 0.2, models.Tanh{}), network.Options{Dt: 0.1, Steps: 20_000, BurnIn: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	obj, err := likelihood.NewExact(rec, likelihood.ExactOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decompose", func(b *testing.B) {
		for range b.N {
			if _, err := likelihood.NewExact(rec, likelihood.ExactOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fit", func(b *testing.B) {
		for range b.N {
			if _, err := FitExact(obj, ExactFit{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("eval", func(b *testing.B) {
		theta := make([]float64, len(obj.Params()))
		for i, p := range obj.Params() {
			theta[i] = p.Theta(p.Init)
		}
		grad := make([]float64, len(theta))
		for range b.N {
			obj.Eval(theta, grad)
		}
	})
}
