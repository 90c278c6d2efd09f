// Package likelihood holds the objectives ldfit maximises: the value and gradient of a
// log-likelihood (plus log-prior) in unconstrained parameters, with the sufficient
// statistics they are computed from. What is done with an objective (optimisation,
// uncertainty, prediction) lives in package infer.
package likelihood

import "math"

// Objective is a log-likelihood (plus log-prior) of a parameter vector θ in unconstrained
// coordinates. Params describes each coordinate and how it maps to its natural value.
type Objective interface {
	Params() []Param
	// Eval returns the log-likelihood at theta and, when grad is non-nil, stores its
	// gradient with respect to theta in grad.
	Eval(theta, grad []float64) float64
}

// Transform maps a natural parameter value to its unconstrained coordinate.
type Transform int

const (
	Identity Transform = iota // θ = x
	Log                       // θ = log x, for x > 0
	Logit                     // θ = logit((x-Lower)/(Upper-Lower)), for Lower < x < Upper
)

// Param describes one coordinate of an objective.
type Param struct {
	Name         string
	Transform    Transform
	Lower, Upper float64 // bounds of the natural value, used by Logit
	Init         float64 // natural initial value
}

// Natural returns the natural value of the unconstrained coordinate theta.
func (p Param) Natural(theta float64) float64 {
	switch p.Transform {
	case Log:
		return math.Exp(theta)
	case Logit:
		return p.Lower + (p.Upper-p.Lower)/(1+math.Exp(-theta))
	}
	return theta
}

// Theta returns the unconstrained coordinate of the natural value x.
func (p Param) Theta(x float64) float64 {
	switch p.Transform {
	case Log:
		return math.Log(x)
	case Logit:
		u := (x - p.Lower) / (p.Upper - p.Lower)
		return math.Log(u / (1 - u))
	}
	return x
}

// Deriv returns dx/dθ at the unconstrained coordinate theta.
func (p Param) Deriv(theta float64) float64 {
	switch p.Transform {
	case Log:
		return math.Exp(theta)
	case Logit:
		s := 1 / (1 + math.Exp(-theta))
		return (p.Upper - p.Lower) * s * (1 - s)
	}
	return 1
}
