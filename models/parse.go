package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParsePhi returns the transfer function named by s. Names: tanh, erf (erf(√π x/2),
// slope 1 at 0), relu, leaky or leakyrelu (slope 0.01 unless given), linear, logistic or
// sigmoid, sign, step.
//
// Parameters follow a colon as comma-separated key=value pairs: a, b and c give the
// scaled form a·φ(b·x + c), e.g. "tanh:a=2,b=0.5,c=0.1". For erf, b is the factor
// inside the erf (default √π/2), so "erf:b=1" is erf(x). For leaky, "leaky:0.1" and
// "leaky:slope=0.1" give the slope for x < 0.
func ParsePhi(s string) (Phi, error) {
	name, params, _ := strings.Cut(strings.TrimSpace(s), ":")
	name = strings.ToLower(strings.TrimSpace(name))
	kv, err := parseParams(s, params)
	if err != nil {
		return nil, err
	}
	var base Phi
	allowed := "a, b, c"
	switch name {
	case "tanh":
		base = Tanh{}
	case "erf":
		return parseErf(s, kv)
	case "relu":
		base = ReLU{}
	case "leaky", "leakyrelu":
		slope := 0.01
		if v, ok := kv["slope"]; ok {
			slope = v
			delete(kv, "slope")
		}
		base = LeakyReLU{Slope: slope}
		allowed = "slope (or a bare number), a, b, c"
	case "linear":
		base = Linear{}
	case "logistic", "sigmoid":
		base = Logistic{}
	case "sign":
		base = Sign{}
	case "step":
		base = Step{}
	default:
		return nil, fmt.Errorf("unknown transfer function %q: use tanh, erf, relu, leaky:SLOPE, linear, logistic, sign or step, optionally scaled as in tanh:a=2,b=0.5,c=0.1", s)
	}
	a, b, c, scaled, err := affineParams(s, kv, allowed, 1)
	if err != nil || !scaled {
		return base, err
	}
	return Affine{A: a, B: b, C: c, Phi: base}, nil
}

func parseErf(s string, kv map[string]float64) (Phi, error) {
	a, b, c, _, err := affineParams(s, kv, "a, b, c", ErfUnitSlope.B)
	if err != nil {
		return nil, err
	}
	if a == 1 && c == 0 {
		return Erf{B: b}, nil
	}
	return Affine{A: a, B: b, C: c, Phi: Erf{B: 1}}, nil
}

// parseParams reads "k=v,k=v" (a bare number is the key "slope").
func parseParams(s, params string) (map[string]float64, error) {
	kv := map[string]float64{}
	if strings.TrimSpace(params) == "" {
		return kv, nil
	}
	for _, p := range strings.Split(params, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			k, v = "slope", p
		}
		k = strings.ToLower(strings.TrimSpace(k))
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("transfer function %q: parameter %q is not a finite number", s, p)
		}
		if _, dup := kv[k]; dup {
			return nil, fmt.Errorf("transfer function %q: parameter %s given twice", s, k)
		}
		kv[k] = x
	}
	return kv, nil
}

// affineParams takes a, b, c out of kv (b defaulting to b0) and rejects anything else.
func affineParams(s string, kv map[string]float64, allowed string, b0 float64) (a, b, c float64, scaled bool, err error) {
	a, b, c = 1, b0, 0
	for k, v := range kv {
		switch k {
		case "a":
			a = v
		case "b":
			b = v
		case "c":
			c = v
		default:
			return 0, 0, 0, false, fmt.Errorf("transfer function %q: unknown parameter %q (allowed: %s)", s, k, allowed)
		}
		scaled = true
	}
	return a, b, c, scaled, nil
}
