// Package kernel computes the infinite-width kernels of deep and recurrent networks
// (the Gaussian processes their outputs become when every hidden layer is infinitely
// wide, arXiv:2112.05589), their derivatives with respect to the weight and bias
// variances, and Monte Carlo kernels of finite networks to check the limit against.
//
// An architecture is a small value, Arch, written on the command line as
//
//	deep:L=3,phi=erf
//	recurrent:T=5,phi=relu,input=every,bias=shared,readout=sum
//	deep:1..8,phi=erf,sw2=2,sb2=0.1
//
// Conventions. A deep net of depth L has L nonlinear hidden layers: h¹ = W¹x + b¹ with
// W¹ ~ N(0, σ_w²/d), h^{l+1} = W^{l+1} φ(h^l) + b^{l+1} with W ~ N(0, σ_w²/n) and
// b ~ N(0, σ_b²), and the output f = W^{L+1} φ(h^L) + b^{L+1}. A recurrent net of T steps
// uses one matrix W at every step (tied weights): h¹ = Ux₁ + b₁,
// h^t = W φ(h^{t-1}) + U x_t + b_t, with U ~ N(0, σ_w²/d); with input at the first step
// only, x_t = 0 for t > 1; with input at every step, the d features are split into T
// chunks x₁..x_T of ⌈d/T⌉ features (the last chunk zero-padded). Biases are either drawn
// fresh at every step or shared over time. The readout is f = V φ(h^T) + b (last) or
// f = T^{-1/2} Σ_t V φ(h^t) + b (sum). With input at the first step and a last-step
// readout, the recurrent kernel of T steps equals the deep kernel of depth T.
//
// Here "erf" means φ(x) = erf(x), as in the kernel literature (models.Erf{B: 1}).
package kernel

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ldfit/ldfit/models"
)

// Kind is the family of an architecture.
type Kind int

const (
	Deep      Kind = iota // independent weights in every layer
	Recurrent             // one weight matrix shared by every time step
)

// Input says when a recurrent net receives its input.
type Input int

const (
	FirstStep Input = iota // the whole input at the first step
	EveryStep              // the input split into T chunks, one per step
)

// Bias says whether a recurrent net draws its biases afresh at every step.
type Bias int

const (
	Fresh  Bias = iota // independent biases at every step
	Shared             // one bias vector for all steps
)

// Readout says which time steps a recurrent net's output reads.
type Readout int

const (
	Last Readout = iota // the last step
	Sum                 // all steps, summed with weight T^{-1/2}
)

// Default variances of an architecture when the spec names none.
const (
	DefaultSigmaW2 = 1.5
	DefaultSigmaB2 = 0.05
)

// Arch describes an architecture whose infinite-width kernel is computed.
type Arch struct {
	Kind    Kind
	Depth   int        // hidden layers (deep) or time steps (recurrent), at least 1
	Phi     models.Phi // transfer function
	SigmaW2 float64    // weight variance σ_w² (times fan-in)
	SigmaB2 float64    // bias variance σ_b²
	Input   Input      // recurrent only
	Bias    Bias       // recurrent only
	Readout Readout    // recurrent only
}

// String returns the spec of a in the form Parse accepts.
func (a Arch) String() string { return a.spec(true) }

// Structure returns the spec of a without σ_w² and σ_b²: the network it describes,
// whatever its variances.
func (a Arch) Structure() string { return a.spec(false) }

func (a Arch) spec(variances bool) string {
	var b strings.Builder
	if a.Kind == Recurrent {
		fmt.Fprintf(&b, "recurrent:T=%d", a.Depth)
	} else {
		fmt.Fprintf(&b, "deep:L=%d", a.Depth)
	}
	fmt.Fprintf(&b, ",phi=%s", PhiName(a.Phi))
	if variances {
		fmt.Fprintf(&b, ",sw2=%s,sb2=%s", fmtFloat(a.SigmaW2), fmtFloat(a.SigmaB2))
	}
	if a.Kind == Recurrent {
		b.WriteString([]string{",input=first", ",input=every"}[a.Input])
		b.WriteString([]string{",bias=fresh", ",bias=shared"}[a.Bias])
		b.WriteString([]string{",readout=last", ",readout=sum"}[a.Readout])
	}
	return b.String()
}

// Family returns a's spec without depth and variances: the curve a belongs to when
// results are plotted against depth.
func (a Arch) Family() string {
	s := "deep"
	if a.Kind == Recurrent {
		s = "recurrent"
	}
	s += "," + PhiName(a.Phi)
	if a.Kind == Recurrent {
		s += []string{"", ",every"}[a.Input] + []string{"", ",shared"}[a.Bias] + []string{"", ",sum"}[a.Readout]
	}
	return s
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// PhiName returns the name of φ as an architecture spec writes it ("erf" for erf(x)).
func PhiName(phi models.Phi) string {
	if e, ok := phi.(models.Erf); ok && e.B == 1 {
		return "erf"
	}
	if phi == nil {
		return "<nil>"
	}
	return phi.String()
}

// ParsePhi returns the transfer function named s, where "erf" is erf(x); every other
// name is passed to models.ParsePhi.
func ParsePhi(s string) (models.Phi, error) {
	if s == "erf" {
		return models.Erf{B: 1}, nil
	}
	return models.ParsePhi(s)
}

// Validate reports whether a describes a computable architecture.
func (a Arch) Validate() error {
	switch {
	case a.Kind != Deep && a.Kind != Recurrent:
		return fmt.Errorf("kernel: unknown architecture kind %d", a.Kind)
	case a.Depth < 1:
		return fmt.Errorf("kernel: %s: depth must be at least 1, got %d", a.kindName(), a.Depth)
	case a.Phi == nil:
		return fmt.Errorf("kernel: %s: no transfer function φ", a.kindName())
	case !(a.SigmaW2 > 0) || a.SigmaW2 > 1e6:
		return fmt.Errorf("kernel: %s: sw2 must be positive and finite, got %v", a.kindName(), a.SigmaW2)
	case !(a.SigmaB2 >= 0) || a.SigmaB2 > 1e6:
		return fmt.Errorf("kernel: %s: sb2 must be non-negative and finite, got %v", a.kindName(), a.SigmaB2)
	case a.Kind == Deep && (a.Input != FirstStep || a.Bias != Fresh || a.Readout != Last):
		return fmt.Errorf("kernel: deep: input, bias and readout apply to recurrent architectures only")
	}
	return nil
}

func (a Arch) kindName() string {
	if a.Kind == Recurrent {
		return "recurrent"
	}
	return "deep"
}

// ParseArch parses the spec of exactly one architecture; see Parse.
func ParseArch(spec string) (Arch, error) {
	as, err := Parse(spec)
	if err != nil {
		return Arch{}, err
	}
	if len(as) != 1 {
		return Arch{}, fmt.Errorf("kernel: %q describes %d architectures, want one (no depth range)", spec, len(as))
	}
	return as[0], nil
}

// Parse parses architecture specs and expands depth ranges. A spec is a kind ("deep"
// or "recurrent") followed by ':' and comma-separated items: a depth ("3", "L=3",
// "T=3", "depth=3") or a range of depths ("1..8", "L=1..8"), phi=NAME, sw2=X, sb2=X and,
// for recurrent nets, input=first|every, bias=fresh|shared, readout=last|sum. Several
// specs may follow each other in one string: "deep:1..4,phi=erf,recurrent:1..4".
func Parse(spec string) ([]Arch, error) {
	var out []Arch
	var group []string
	flush := func() error {
		if group == nil {
			return nil
		}
		as, err := parseOne(group)
		out = append(out, as...)
		group = nil
		return err
	}
	for _, tok := range strings.Split(spec, ",") {
		tok = strings.TrimSpace(tok)
		if kind, rest, ok := strings.Cut(tok, ":"); ok || tok == "deep" || tok == "recurrent" {
			if !ok {
				kind, rest = tok, ""
			}
			if err := flush(); err != nil {
				return nil, fmt.Errorf("kernel: architecture %q: %w", spec, err)
			}
			group = []string{kind}
			if rest != "" {
				group = append(group, rest)
			}
			continue
		}
		if group == nil {
			return nil, fmt.Errorf("kernel: architecture %q must start with deep: or recurrent:", spec)
		}
		group = append(group, tok)
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("kernel: architecture %q: %w", spec, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("kernel: empty architecture spec; write e.g. deep:L=3,phi=erf")
	}
	return out, nil
}

// parseOne parses one kind and its items.
func parseOne(group []string) ([]Arch, error) {
	a := Arch{Depth: 1, SigmaW2: DefaultSigmaW2, SigmaB2: DefaultSigmaB2, Phi: models.Erf{B: 1}}
	switch group[0] {
	case "deep":
		a.Kind = Deep
	case "recurrent", "rnn":
		a.Kind = Recurrent
	default:
		return nil, fmt.Errorf("unknown kind %q: want deep or recurrent", group[0])
	}
	lo, hi := 1, 1
	for _, item := range group[1:] {
		key, val, ok := strings.Cut(item, "=")
		if !ok {
			key, val = "depth", item
		}
		var err error
		switch strings.ToLower(key) {
		case "depth", "l", "t":
			lo, hi, err = parseRange(val)
		case "phi":
			a.Phi, err = ParsePhi(val)
		case "sw2":
			a.SigmaW2, err = strconv.ParseFloat(val, 64)
		case "sb2":
			a.SigmaB2, err = strconv.ParseFloat(val, 64)
		case "input":
			a.Input, err = pick[Input](key, val, "first", "every")
		case "bias":
			a.Bias, err = pick[Bias](key, val, "fresh", "shared")
		case "readout":
			a.Readout, err = pick[Readout](key, val, "last", "sum")
		default:
			err = fmt.Errorf("unknown key %q: want L (or T), phi, sw2, sb2, input, bias or readout", key)
		}
		if err != nil {
			return nil, err
		}
		if a.Kind == Deep && (key == "input" || key == "bias" || key == "readout") {
			return nil, fmt.Errorf("%s= applies to recurrent architectures only", key)
		}
	}
	var out []Arch
	for d := lo; d <= hi; d++ {
		b := a
		b.Depth = d
		if err := b.Validate(); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func parseRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "..")
	lo, err = strconv.Atoi(a)
	if err != nil {
		return 0, 0, fmt.Errorf("depth %q is not an integer or a range like 1..8", s)
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || hi < lo {
			return 0, 0, fmt.Errorf("depth range %q must be lo..hi with integers lo <= hi", s)
		}
	}
	if lo < 1 || hi > 1000 {
		return 0, 0, fmt.Errorf("depth %q must lie in 1..1000", s)
	}
	return lo, hi, nil
}

func pick[T ~int](key, val string, names ...string) (T, error) {
	for i, n := range names {
		if strings.EqualFold(val, n) {
			return T(i), nil
		}
	}
	return 0, fmt.Errorf("%s=%q: want one of %s", key, val, strings.Join(names, ", "))
}
