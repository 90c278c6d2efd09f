package network

import "math"

// tanhPhi is φ = tanh, kept local so that the tests do not depend on package models'
// parser.
type tanhPhi struct{}

func (tanhPhi) String() string              { return "tanh" }
func (tanhPhi) Eval(x float64) float64      { return math.Tanh(x) }
func (tanhPhi) Deriv(x float64) float64     { t := math.Tanh(x); return 1 - t*t }
func (tanhPhi) Antideriv(x float64) float64 { return math.Log(math.Cosh(x)) }

// linPhi is φ(x) = x.
type linPhi struct{}

func (linPhi) String() string              { return "linear" }
func (linPhi) Eval(x float64) float64      { return x }
func (linPhi) Deriv(x float64) float64     { return 1 }
func (linPhi) Antideriv(x float64) float64 { return x * x / 2 }

// meanVar returns the mean and the variance of x.
func meanVar(x []float64) (m, v float64) {
	for _, xi := range x {
		m += xi
	}
	m /= float64(len(x))
	for _, xi := range x {
		v += (xi - m) * (xi - m)
	}
	return m, v / float64(len(x))
}
