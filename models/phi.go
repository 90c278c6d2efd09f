// Package models is the generative side of ldfit: transfer functions and their Gaussian
// expectations, the rate-network model and its simulator, coupling generators, the
// mean-field (DMFT) solver, and the infinite-width kernels of deep and recurrent networks.
//
// This package holds the shared core: the transfer functions φ (Tanh, Erf, ReLU, ...),
// ParsePhi for their command-line names, and the Gaussian expectations of φ, φ' and the
// antiderivative Φ that the mean-field theory and the kernels are made of (Expect, Pair,
// Expect2, ExpectAnti2). The simulator, the DMFT solver and the kernels live in
// subpackages.
package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Phi is a transfer function φ with its derivative and an antiderivative.
type Phi interface {
	// String returns the name of the function in the form ParsePhi accepts.
	String() string
	Eval(x float64) float64
	Deriv(x float64) float64
	// Antideriv returns Φ(x) = ∫₀ˣ φ.
	Antideriv(x float64) float64
}

// deriv2er is implemented by the built-in smooth functions: their second derivative
// gives the variance derivatives of Pair by the heat equation without integration by
// parts.
type deriv2er interface {
	deriv2(x float64) float64
}

// Tanh is φ(x) = tanh(x).
type Tanh struct{}

func (Tanh) String() string              { return "tanh" }
func (Tanh) Eval(x float64) float64      { return math.Tanh(x) }
func (Tanh) Deriv(x float64) float64     { t := math.Tanh(x); return 1 - t*t }
func (Tanh) deriv2(x float64) float64    { t := math.Tanh(x); return -2 * t * (1 - t*t) }
func (Tanh) Antideriv(x float64) float64 { return logCosh(x) }

// logCosh is log cosh x without overflow: |x| + log1p(e^{-2|x|}) − log 2.
func logCosh(x float64) float64 {
	a := math.Abs(x)
	return a + math.Log1p(math.Exp(-2*a)) - math.Ln2
}

// Erf is φ(x) = erf(B·x). The network models' "erf" is Erf{B: √π/2}, whose slope at 0
// is 1 like tanh's; the kernel literature's erf(x) is Erf{B: 1}.
type Erf struct{ B float64 }

// ErfUnitSlope is erf(√π x/2), the "erf" of the network models (slope 1 at 0).
var ErfUnitSlope = Erf{B: math.Sqrt(math.Pi) / 2}

func (f Erf) String() string {
	if f.B == ErfUnitSlope.B {
		return "erf"
	}
	return "erf:b=" + fmtFloat(f.B)
}
func (f Erf) Eval(x float64) float64 { return math.Erf(f.B * x) }
func (f Erf) Deriv(x float64) float64 {
	return 2 * f.B / math.Sqrt(math.Pi) * math.Exp(-f.B*f.B*x*x)
}
func (f Erf) deriv2(x float64) float64 { return -2 * f.B * f.B * x * f.Deriv(x) }

// Antideriv is x·erf(Bx) + (e^{−B²x²} − 1)/(B√π).
func (f Erf) Antideriv(x float64) float64 {
	if f.B == 0 {
		return 0
	}
	bx := f.B * x
	return x*math.Erf(bx) + math.Expm1(-bx*bx)/(f.B*math.Sqrt(math.Pi))
}

// ReLU is φ(x) = max(x, 0).
type ReLU struct{}

func (ReLU) String() string         { return "relu" }
func (ReLU) Eval(x float64) float64 { return math.Max(x, 0) }

// Deriv is the Heaviside step (0 at x = 0).
func (ReLU) Deriv(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}
func (ReLU) Antideriv(x float64) float64 {
	if x > 0 {
		return x * x / 2
	}
	return 0
}

// LeakyReLU is φ(x) = x for x > 0 and Slope·x otherwise.
type LeakyReLU struct{ Slope float64 }

func (f LeakyReLU) String() string { return "leaky:" + fmtFloat(f.Slope) }
func (f LeakyReLU) Eval(x float64) float64 {
	if x > 0 {
		return x
	}
	return f.Slope * x
}
func (f LeakyReLU) Deriv(x float64) float64 {
	if x > 0 {
		return 1
	}
	return f.Slope
}
func (f LeakyReLU) Antideriv(x float64) float64 {
	if x > 0 {
		return x * x / 2
	}
	return f.Slope * x * x / 2
}

// Linear is φ(x) = x.
type Linear struct{}

func (Linear) String() string              { return "linear" }
func (Linear) Eval(x float64) float64      { return x }
func (Linear) Deriv(float64) float64       { return 1 }
func (Linear) deriv2(float64) float64      { return 0 }
func (Linear) Antideriv(x float64) float64 { return x * x / 2 }

// Logistic is the sigmoid φ(x) = 1/(1 + e^{−x}).
type Logistic struct{}

func (Logistic) String() string { return "logistic" }
func (Logistic) Eval(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
func (f Logistic) Deriv(x float64) float64 { s := f.Eval(x); return s * (1 - s) }
func (f Logistic) deriv2(x float64) float64 {
	s := f.Eval(x)
	return s * (1 - s) * (1 - 2*s)
}

// Antideriv is the softplus log(1 + eˣ) − log 2.
func (Logistic) Antideriv(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x)) - math.Ln2
	}
	return math.Log1p(math.Exp(x)) - math.Ln2
}

// Sign is φ(x) = sign(x), with sign(0) = 0. Its derivative is 2δ(x); Deriv returns 0
// away from 0 and the Gaussian expectations use the closed forms.
type Sign struct{}

func (Sign) String() string { return "sign" }
func (Sign) Eval(x float64) float64 {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}
func (Sign) Deriv(float64) float64       { return 0 }
func (Sign) Antideriv(x float64) float64 { return math.Abs(x) }

// Step is the Heaviside step φ(x) = 1 for x > 0, else 0. Like Sign, its derivative is a
// delta function that Deriv does not represent.
type Step struct{}

func (Step) String() string { return "step" }
func (Step) Eval(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}
func (Step) Deriv(float64) float64 { return 0 }
func (Step) Antideriv(x float64) float64 {
	return math.Max(x, 0)
}

// Affine is φ(x) = A·Phi(B·x + C).
type Affine struct {
	A, B, C float64
	Phi     Phi
}

// String gives the scaled form of ParsePhi, e.g. "tanh:a=2,b=0.5,c=0.1". An Affine of
// an Affine has no such form and prints as a nested expression.
func (f Affine) String() string {
	b, c := f.B, f.C
	if e, ok := f.Phi.(Erf); ok { // erf's own factor moves into b and c
		b, c = b*e.B, c*e.B
		return fmt.Sprintf("erf:a=%s,b=%s,c=%s", fmtFloat(f.A), fmtFloat(b), fmtFloat(c))
	}
	if _, ok := f.Phi.(Affine); ok {
		return fmt.Sprintf("%s*(%s)(%s*x%+g)", fmtFloat(f.A), f.Phi, fmtFloat(b), c)
	}
	name := f.Phi.String()
	sep := ":"
	if strings.Contains(name, ":") {
		sep = ","
	}
	if l, ok := f.Phi.(LeakyReLU); ok {
		name, sep = "leaky:slope="+fmtFloat(l.Slope), ","
	}
	return fmt.Sprintf("%s%sa=%s,b=%s,c=%s", name, sep, fmtFloat(f.A), fmtFloat(b), fmtFloat(c))
}
func (f Affine) Eval(x float64) float64  { return f.A * f.Phi.Eval(f.B*x+f.C) }
func (f Affine) Deriv(x float64) float64 { return f.A * f.B * f.Phi.Deriv(f.B*x+f.C) }

// Antideriv is (A/B)(Φ(Bx + C) − Φ(C)), or A·φ(C)·x when B = 0.
func (f Affine) Antideriv(x float64) float64 {
	if f.B == 0 {
		return f.A * f.Phi.Eval(f.C) * x
	}
	return f.A / f.B * (f.Phi.Antideriv(f.B*x+f.C) - f.Phi.Antideriv(f.C))
}

func (f Affine) smooth() bool { return isSmooth(f.Phi) }

// Func is a user-supplied transfer function F with derivative DF. Its Gaussian
// expectations are computed by quadrature, so F should be smooth for full accuracy;
// its antiderivative is computed by adaptive Gauss–Legendre quadrature of F on [0, x].
type Func struct {
	Name string
	F    func(float64) float64
	DF   func(float64) float64
}

func (f Func) String() string              { return f.Name }
func (f Func) Eval(x float64) float64      { return f.F(x) }
func (f Func) Deriv(x float64) float64     { return f.DF(x) }
func (f Func) Antideriv(x float64) float64 { return integrate(f.F, 0, x) }

// antiStepper returns Φ for evaluation at a sequence of nearby points: for a Func it
// integrates F from the previous point instead of from 0.
func antiStepper(phi Phi) func(float64) float64 {
	f, ok := phi.(Func)
	if !ok {
		return phi.Antideriv
	}
	var have bool
	var x0, a0 float64
	return func(x float64) float64 {
		if have && math.Abs(x-x0) <= 1 {
			a0 += integrate(f.F, x0, x)
		} else {
			a0 = f.Antideriv(x)
		}
		x0, have = x, true
		return a0
	}
}

// isSmooth reports whether φ is taken to be infinitely differentiable (a Func is), which
// selects the quadrature of its expectations.
func isSmooth(phi Phi) bool {
	switch f := phi.(type) {
	case Tanh, Erf, Linear, Logistic, Func:
		return true
	case Affine:
		return f.smooth()
	}
	return false
}

// secondDeriv returns φ″ at x when φ provides it.
func secondDeriv(phi Phi) (func(float64) float64, bool) {
	switch f := phi.(type) {
	case deriv2er:
		return f.deriv2, true
	case Affine:
		d2, ok := secondDeriv(f.Phi)
		if !ok {
			return nil, false
		}
		return func(x float64) float64 { return f.A * f.B * f.B * d2(f.B*x+f.C) }, true
	}
	return nil, false
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// Smooth reports whether φ is taken to be infinitely differentiable: Tanh, Erf, Linear,
// Logistic, a Func, and Affine forms of these. The piecewise-linear functions are not.
func Smooth(phi Phi) bool { return isSmooth(phi) }

// isOdd reports whether φ(−x) = −φ(x).
func isOdd(phi Phi) bool {
	switch f := phi.(type) {
	case Tanh, Erf, Linear, Sign:
		return true
	case Affine:
		return f.C == 0 && isOdd(f.Phi)
	}
	return false
}
