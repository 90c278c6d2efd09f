// Package models is the generative side of ldfit: transfer functions and their Gaussian
// expectations, the rate-network model and its simulator, coupling generators, the
// mean-field (DMFT) solver, and the infinite-width kernels of deep and recurrent networks.
package models

// Phi is a transfer function φ with its derivative and an antiderivative.
type Phi interface {
	// String returns the name of the function in the form ParsePhi accepts.
	String() string
	Eval(x float64) float64
	Deriv(x float64) float64
	// Antideriv returns Φ(x) = ∫₀ˣ φ.
	Antideriv(x float64) float64
}
