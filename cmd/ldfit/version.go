package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{
		name:    "version",
		summary: "print the version of ldfit and of the Go toolchain that built it",
		help: `version prints the module version of ldfit (a release tag when installed with
"go install github.com/ldfit/ldfit/cmd/ldfit@VERSION"), or the version-control revision
it was built from, with "+modified" when the working tree had uncommitted changes.`,
		run: runVersion,
	})
}

// buildVersion describes the binary, from its embedded build information.
type buildVersion struct {
	Version  string `json:"version"`            // module version, "(devel)" for a local build
	Revision string `json:"revision,omitempty"` // VCS revision
	Time     string `json:"time,omitempty"`     // commit time of the revision
	Modified bool   `json:"modified"`           // the working tree had uncommitted changes
	Go       string `json:"go"`                 // Go toolchain version
	Platform string `json:"platform"`           // GOOS/GOARCH
}

func readBuildVersion() buildVersion {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(bi)
}

// versionOf reads the version from build information bi (nil when there is none).
func versionOf(bi *debug.BuildInfo) buildVersion {
	v := buildVersion{Version: "(unknown)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi == nil {
		return v
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one-line form, e.g. "ldfit (devel) rev 9b61f03c0de1+modified go1.26.0 linux/amd64".
func (v buildVersion) String() string {
	s := "ldfit " + v.Version
	if v.Revision != "" {
		rev := v.Revision
		if len(rev) > 12 {
			rev = rev[:12]
		}
		s += " rev " + rev
		if v.Modified {
			s += "+modified"
		}
	}
	return s + " " + v.Go + " " + v.Platform
}

func runVersion(e *env, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	v := readBuildVersion()
	if e.JSON {
		return writeJSON(e.stdout, v)
	}
	_, err := fmt.Fprintln(e.stdout, v)
	return err
}
