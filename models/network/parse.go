package network

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseCoupling returns the generator described by spec:
//
//	iid
//	sparse:p=0.1
//	random-mode:alpha=0.5,PR=100,rho=0.2          (exponential spectrum with PR_D = 100)
//	random-mode:alpha=1,beta=2,spectrum=exp        (spectrum flat, exp or power; dense
//	                                               forms J explicitly)
//	file:J.parquet
//
// A random-mode spec with neither PR nor beta has a flat spectrum; one with PR or beta
// and no spectrum has the exponential one.
func ParseCoupling(spec string) (Coupling, error) {
	kind, args, _ := strings.Cut(spec, ":")
	switch kind {
	case "", "iid":
		if args != "" {
			return nil, fmt.Errorf("network: coupling %q: iid takes no parameters", spec)
		}
		return IID{}, nil
	case "file":
		if args == "" {
			return nil, fmt.Errorf("network: coupling %q: give the file, file:PATH", spec)
		}
		return File{Path: args}, nil
	}
	kv, err := keyValues(spec, args)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "sparse":
		p, ok := kv.num["p"]
		if !ok || len(kv.num) != 1 || len(kv.str) != 0 {
			return nil, fmt.Errorf("network: coupling %q: sparse takes p=PROBABILITY, e.g. sparse:p=0.1", spec)
		}
		return Sparse{P: p}, nil
	case "random-mode", "modes":
		r := RandomMode{Alpha: 1, Spectrum: Flat}
		spectrum := ""
		for k, v := range kv.num {
			switch strings.ToLower(k) {
			case "alpha":
				r.Alpha = v
			case "rho":
				r.Rho = v
			case "beta", "gamma":
				r.Beta = v
			case "pr", "pr_d":
				r.PR = v
			default:
				return nil, fmt.Errorf("network: coupling %q: unknown parameter %q; random-mode takes alpha, rho, PR, beta, spectrum and dense", spec, k)
			}
		}
		for k, v := range kv.str {
			switch k {
			case "spectrum":
				spectrum = v
			case "dense":
				r.FormDense = true
			default:
				return nil, fmt.Errorf("network: coupling %q: parameter %q needs a number", spec, k)
			}
		}
		switch {
		case spectrum != "":
			if r.Spectrum, err = ParseSpectrum(spectrum); err != nil {
				return nil, err
			}
		case r.PR > 0 || r.Beta > 0:
			r.Spectrum = Exponential
		}
		return r, nil
	}
	return nil, fmt.Errorf("network: unknown coupling %q; use iid, sparse:p=P, random-mode:alpha=A,... or file:PATH", spec)
}

type params struct {
	num map[string]float64
	str map[string]string
}

// keyValues parses "k=v,k=v,flag".
func keyValues(spec, s string) (params, error) {
	p := params{num: map[string]float64{}, str: map[string]string{}}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		k = strings.TrimSpace(k)
		if !ok {
			p.str[k] = ""
			continue
		}
		if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			p.num[k] = x
		} else {
			p.str[k] = strings.TrimSpace(v)
		}
	}
	if len(p.num)+len(p.str) == 0 {
		return p, fmt.Errorf("network: coupling %q needs parameters after the colon", spec)
	}
	return p, nil
}
