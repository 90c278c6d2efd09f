package models

import "testing"

// BenchmarkPair times one zero-mean pair expectation with derivatives: closed forms and
// the quadrature of tanh at a moderate and a large variance.
func BenchmarkPair(b *testing.B) {
	for _, c := range []struct {
		name string
		phi  Phi
		q    float64
	}{{"erf", Erf{B: 1}, 1.5}, {"relu", ReLU{}, 1.5}, {"tanh/q=1.5", Tanh{}, 1.5}, {"tanh/q=20", Tanh{}, 20}} {
		b.Run(c.name, func(b *testing.B) {
			var s float64
			for b.Loop() {
				s += Pair(c.phi, c.q, 0.9*c.q, 0.5*c.q).F
			}
			_ = s
		})
	}
}
