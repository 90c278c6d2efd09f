package main

import (
	"flag"
	"io"
	"testing"
)

// ldfit evaluate fits as ldfit fit does: it takes every flag of fit that chooses or
// configures the fit, with the same default and help, and the values reach the fit.
func TestEvaluateAcceptsFitFlags(t *testing.T) {
	fit := newFlagSet(commands["fit"], &env{}, io.Discard)
	ev := newFlagSet(commands["evaluate"], &env{}, io.Discard)
	var args []string
	fit.VisitAll(func(f *flag.Flag) {
		if f.Name == "plot" { // fit's figure of spectra; evaluate's --plot draws predictions
			return
		}
		g := ev.Lookup(f.Name)
		if g == nil {
			t.Errorf("ldfit evaluate has no flag -%s of ldfit fit", f.Name)
			return
		}
		if g.DefValue != f.DefValue || g.Usage != f.Usage {
			t.Errorf("-%s: evaluate has default %q and help %q, fit %q and %q", f.Name, g.DefValue, g.Usage, f.DefValue, f.Usage)
		}
		args = append(args, "-"+f.Name+"="+f.Value.String())
	})
	// Every fit flag parses in evaluate and lands in the fit flags evaluate fits by.
	if err := ev.Parse(append(args, "-method=nnls", "-restarts=5", "-from=3")); err != nil {
		t.Fatal(err)
	}
	if f := evaluateOpts.fit; f.method != "nnls" || f.restarts != 5 || f.rec.from != 3 {
		t.Errorf("evaluate's fit flags hold method %q, restarts %d, from %v; want nnls, 5, 3", f.method, f.restarts, f.rec.from)
	}
}
