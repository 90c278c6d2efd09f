package data

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// NaNPolicy says what ReadRecording does with NaN and null (missing) values.
// Infinite values are always an error: they are not missing data but broken data.
type NaNPolicy int

const (
	// NaNError rejects a recording that holds a NaN or null value.
	NaNError NaNPolicy = iota
	// NaNDrop drops every time row in which some unit is NaN. A trial with rows dropped
	// inside it is split at the gaps into several trials of the same name, so that every
	// trial stays uniformly sampled.
	NaNDrop
	// NaNInterpolate replaces NaNs by linear interpolation between the neighbouring
	// samples of the same unit. NaNs at the start or end of a trial are an error. How
	// many values were interpolated is recorded in Recording.Meta["ldfit.nan"].
	NaNInterpolate
)

// ParseNaNPolicy parses "error", "drop" or "interpolate" (as given to --nan).
func ParseNaNPolicy(s string) (NaNPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "error":
		return NaNError, nil
	case "drop":
		return NaNDrop, nil
	case "interpolate":
		return NaNInterpolate, nil
	}
	return 0, fmt.Errorf("unknown NaN policy %q: use error, drop or interpolate", s)
}

func (p NaNPolicy) String() string {
	switch p {
	case NaNError:
		return "error"
	case NaNDrop:
		return "drop"
	case NaNInterpolate:
		return "interpolate"
	}
	return fmt.Sprintf("NaNPolicy(%d)", int(p))
}

// ReadOptions controls ReadRecording and Scan.
//
// Time window: a sample at time t is kept when From ≤ t < To. To == 0 means no upper
// bound (so From == 0 && To == 0 is the whole file, and From > 0 with To == 0 is from
// From to the end). Times are compared with a tolerance of StepTol·step, so a sample
// whose time is From up to rounding is kept and one at To up to rounding is not.
type ReadOptions struct {
	Units, Exclude []string // select or drop units by name; Units also fixes their order
	From, To       float64  // time window [From, To); see above
	// Step is the sampling step used when the file has neither a t column nor "dt" in
	// its key-value metadata. It is ignored otherwise.
	Step float64
	NaN  NaNPolicy
	// Population names where population labels are: in the long layout a column (one
	// label per unit), in the wide layout a key-value metadata key whose value is a JSON
	// object {"unit": "label", ...}. Empty: the column or key "population(s)" when present.
	Population string
	// StepTol is the relative tolerance for uniform sampling: every time step must lie
	// within StepTol·step of the mean step. Zero means 1e-6.
	StepTol float64

	mem memory.Allocator // allocator for Arrow buffers; nil: the Go allocator
}

func (o *ReadOptions) stepTol() float64 {
	if o.StepTol > 0 {
		return o.StepTol
	}
	return 1e-6
}

// Version returns the version of ldfit, from the build information of the running
// binary: the module version when built with go install, "devel" otherwise, followed
// by the VCS revision when known. It is written into every file's metadata under
// "ldfit.version".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := "devel"
	if bi.Main.Path == "github.com/ldfit/ldfit" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	} else {
		for _, d := range bi.Deps {
			if d.Path == "github.com/ldfit/ldfit" && d.Version != "" && d.Version != "(devel)" {
				v = d.Version
			}
		}
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
	}
	return v
}
