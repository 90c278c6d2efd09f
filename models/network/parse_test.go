package network

import "testing"

func TestParseCoupling(t *testing.T) {
	good := map[string]Coupling{
		"iid":                                  IID{},
		"":                                     IID{},
		"sparse:p=0.1":                         Sparse{P: 0.1},
		"random-mode:alpha=0.5,PR=100,rho=0.2": RandomMode{Alpha: 0.5, PR: 100, Rho: 0.2, Spectrum: Exponential},
		"random-mode:alpha=1,beta=2,spectrum=exp": RandomMode{Alpha: 1, Beta: 2, Spectrum: Exponential},
		"random-mode:alpha=2":                     RandomMode{Alpha: 2, Spectrum: Flat},
		"random-mode:beta=1,spectrum=power,dense": RandomMode{Alpha: 1, Beta: 1, Spectrum: PowerLaw, FormDense: true},
		"file:J.parquet":                          File{Path: "J.parquet"},
	}
	for spec, want := range good {
		got, err := ParseCoupling(spec)
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", spec, got, err, want)
		}
	}
	for _, spec := range []string{"iid:x", "sparse", "sparse:q=1", "random-mode:foo=1", "random-mode:spectrum=zigzag", "file:", "ring"} {
		if _, err := ParseCoupling(spec); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
}
