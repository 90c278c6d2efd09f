package models

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

func allPhis() []Phi {
	return []Phi{
		Tanh{}, ErfUnitSlope, Erf{B: 1}, ReLU{}, LeakyReLU{Slope: 0.1}, Linear{}, Logistic{},
		Sign{}, Step{},
		Affine{A: 2, B: 0.5, C: 0.1, Phi: Tanh{}},
		Affine{A: 1.5, B: 2, C: 0, Phi: Erf{B: 1}},
		Affine{A: 1, B: 1, C: -0.3, Phi: ReLU{}},
		Affine{A: 0.5, B: 2, C: 1, Phi: Linear{}},
		Func{Name: "swish", F: func(x float64) float64 { return x * Logistic{}.Eval(x) },
			DF: func(x float64) float64 { s := Logistic{}.Eval(x); return s + x*s*(1-s) }},
	}
}

func TestParsePhiRoundTrip(t *testing.T) {
	for _, phi := range allPhis() {
		if _, ok := phi.(Func); ok {
			continue
		}
		got, err := ParsePhi(phi.String())
		if err != nil {
			t.Fatalf("ParsePhi(%q): %v", phi.String(), err)
		}
		for _, x := range []float64{-2.3, -0.4, 0.7, 3.1} {
			if a, b := phi.Eval(x), got.Eval(x); math.Abs(a-b) > 1e-15*math.Max(1, math.Abs(a)) {
				t.Errorf("%s → %s: φ(%g) = %g, want %g", phi, got, x, b, a)
			}
		}
	}
	cases := map[string]Phi{
		"tanh": Tanh{}, "erf": Erf{B: math.Sqrt(math.Pi) / 2}, "erf:b=1": Erf{B: 1},
		"leaky:0.1": LeakyReLU{0.1}, "leakyrelu:0.2": LeakyReLU{0.2}, "sigmoid": Logistic{},
		"logistic": Logistic{}, "relu": ReLU{}, "sign": Sign{}, "step": Step{}, "linear": Linear{},
		"tanh:a=2,b=0.5,c=0.1": Affine{2, 0.5, 0.1, Tanh{}},
		"erf:a=2,b=1,c=0.5":    Affine{2, 1, 0.5, Erf{B: 1}},
	}
	for s, want := range cases {
		got, err := ParsePhi(s)
		if err != nil || got != want {
			t.Errorf("ParsePhi(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, bad := range []string{"", "tanhh", "tanh:a=x", "tanh:z=1", "relu:a=1,a=2", "tanh:a=NaN", "tanh:0.1"} {
		if _, err := ParsePhi(bad); err == nil {
			t.Errorf("ParsePhi(%q): no error", bad)
		}
	}
}

func TestDerivAndAntideriv(t *testing.T) {
	for _, phi := range allPhis() {
		for _, x := range []float64{-2.3, -0.4, 0.7, 3.1} {
			want := integrate(phi.Eval, 0, x)
			if k, ok := kink(phi); ok && k*x > 0 && math.Abs(k) < math.Abs(x) {
				want = integrate(phi.Eval, 0, k) + integrate(phi.Eval, k, x)
			}
			if got := phi.Antideriv(x); math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s: Φ(%g) = %.15g, want %.15g", phi, x, got, want)
			}
			if _, jumps := jump(phi); jumps {
				continue
			}
			d := fd.Derivative(phi.Eval, x, &fd.Settings{Formula: fd.Central})
			if got := phi.Deriv(x); math.Abs(got-d) > 1e-6 {
				t.Errorf("%s: φ'(%g) = %g, finite difference %g", phi, x, got, d)
			}
			if f, ok := secondDeriv(phi); ok {
				d2 := fd.Derivative(phi.Deriv, x, &fd.Settings{Formula: fd.Central})
				if math.Abs(f(x)-d2) > 1e-6 {
					t.Errorf("%s: φ''(%g) = %g, finite difference %g", phi, x, f(x), d2)
				}
			}
		}
	}
}

// FuzzParsePhi checks that ParsePhi never panics and that what it accepts prints in a
// form it parses back to the same function.
func FuzzParsePhi(f *testing.F) {
	for _, s := range []string{"tanh", "erf:b=1", "leaky:0.1", "tanh:a=2,b=0.5,c=0.1", "relu:c=-1", "step:a=,b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		phi, err := ParsePhi(s)
		if err != nil {
			return
		}
		again, err := ParsePhi(phi.String())
		if err != nil {
			t.Fatalf("ParsePhi(%q) = %s, which does not parse: %v", s, phi, err)
		}
		for _, x := range []float64{-1.3, 0.2, 2.9} {
			a, b := phi.Eval(x), again.Eval(x)
			if a != b && math.Abs(a-b) > 1e-12*math.Max(1, math.Abs(a)) && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Fatalf("ParsePhi(%q) = %s: φ(%g) = %g, after the round trip %g", s, phi, x, a, b)
			}
		}
	})
}
