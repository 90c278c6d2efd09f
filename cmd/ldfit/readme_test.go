package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's set-up command (ldfit commands joined by &&, over one or more lines)
// stands between
//
//	<!-- setup: checked by TestREADMECommands -->
//	<!-- end setup -->
//
// and each of its commands must succeed. The command reference shows command lines
// with their output between the markers
//
//	<!-- run: checked by TestREADMECommands -->
//	```
//	$ ldfit ...
//	output
//	```
//	<!-- end run -->
//
// TestREADMECommands runs each "$ ldfit ..." line in a temporary folder that holds a
// link to testdata and compares its stdout with the lines after it, so the README and
// the program cannot drift apart. An output line "…" stands for any number of lines.

const (
	runMarker      = "<!-- run: checked by TestREADMECommands -->"
	endMarker      = "<!-- end run -->"
	setupMarker    = "<!-- setup: checked by TestREADMECommands -->"
	endSetupMarker = "<!-- end setup -->"
)

// readmeExample is one command line of the README with the output shown under it.
type readmeExample struct {
	line   int      // line number in README.md
	args   []string // after "ldfit"
	want   []string // expected stdout lines
	anyOut bool     // set-up command: only success is checked
}

func readREADME(t *testing.T) (string, []readmeExample) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ex []readmeExample
	in, setup := false, false
	setupLine, setupCmd := 0, ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimRight(sc.Text(), " \t")
		switch {
		case l == runMarker:
			in = true
		case l == endMarker:
			in = false
		case l == setupMarker:
			setup, setupLine, setupCmd = true, n, ""
		case l == endSetupMarker:
			setup = false
			for _, c := range strings.Split(setupCmd, "&&") {
				fields := strings.Fields(c)
				if len(fields) == 0 || fields[0] != "ldfit" {
					t.Fatalf("README.md:%d: the set-up command must be ldfit commands joined by &&: %s", setupLine, setupCmd)
				}
				ex = append(ex, readmeExample{line: setupLine, args: fields[1:], anyOut: true})
			}
		case strings.HasPrefix(l, "```"):
		case setup:
			setupCmd += " " + l // lines ending in && continue the command
		case !in:
		case strings.HasPrefix(l, "$ "):
			fields := strings.Fields(strings.TrimPrefix(l, "$ "))
			if fields[0] != "ldfit" {
				t.Fatalf("README.md:%d: a checked command must start with ldfit: %s", n, l)
			}
			ex = append(ex, readmeExample{line: n, args: fields[1:]})
		case len(ex) == 0:
			t.Fatalf("README.md:%d: output before any command: %s", n, l)
		default:
			ex[len(ex)-1].want = append(ex[len(ex)-1].want, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return root, ex
}

func TestREADMECommands(t *testing.T) {
	root, examples := readREADME(t)
	if len(examples) < 6 {
		t.Fatalf("README.md has %d checked commands, want the set-up commands and at least inspect, convert and inspect", len(examples))
	}
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(root, "testdata"), filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, ex := range examples {
		code, stdout, stderr := ldfit(t, ex.args...)
		cmdline := "ldfit " + strings.Join(ex.args, " ")
		if code != 0 {
			t.Fatalf("README.md:%d: %s: exit code %d\n%s", ex.line, cmdline, code, stderr)
		}
		got := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		for i := range got {
			got[i] = strings.TrimRight(got[i], " ")
		}
		if !ex.anyOut && !matchLines(got, ex.want) {
			t.Errorf("README.md:%d: %s prints\n%s\nbut the README shows\n%s", ex.line, cmdline, strings.Join(got, "\n"), strings.Join(ex.want, "\n"))
		}
	}
}

// matchLines reports whether got matches want, where a want line "…" matches any
// number of lines.
func matchLines(got, want []string) bool {
	if len(want) == 0 {
		return len(got) == 0 || len(got) == 1 && got[0] == ""
	}
	if want[0] == "…" {
		for i := 0; i <= len(got); i++ {
			if matchLines(got[i:], want[1:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && got[0] == want[0] && matchLines(got[1:], want[1:])
}

func TestMatchLines(t *testing.T) {
	for _, c := range []struct {
		got, want []string
		ok        bool
	}{
		{[]string{"a", "b", "c"}, []string{"a", "…", "c"}, true},
		{[]string{"a", "c"}, []string{"a", "…", "c"}, true},
		{[]string{"a", "b"}, []string{"a", "…", "c"}, false},
		{[]string{"a", "b"}, []string{"a"}, false},
		{[]string{"a"}, []string{"a", "b"}, false},
		{[]string{""}, nil, true},
	} {
		if got := matchLines(c.got, c.want); got != c.ok {
			t.Errorf("matchLines(%q, %q) = %v, want %v", c.got, c.want, got, c.ok)
		}
	}
}

// TestCIRunsREADMETestCommand checks that .ci/run runs the very test command the README
// gives a new user.
func TestCIRunsREADMETestCommand(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- test command: run by .ci/run -->"
	_, after, ok := strings.Cut(string(readme), marker)
	if !ok {
		t.Fatalf("README.md has no %q marker before the test command", marker)
	}
	// The command is the first line of the code block after the marker.
	var cmd string
	for _, l := range strings.Split(after, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "```") {
			cmd = l
			break
		}
	}
	if cmd == "" {
		t.Fatal("README.md: no command after the test-command marker")
	}
	found := false
	for _, l := range strings.Split(string(ci), "\n") {
		if strings.TrimSpace(l) == cmd {
			found = true
		}
	}
	if !found {
		t.Errorf(".ci/run does not run the README's test command %q", cmd)
	}
	st, err := os.Stat(filepath.Join(root, ".ci", "run"))
	if err != nil || st.Mode()&0o111 == 0 {
		t.Errorf(".ci/run is not executable (%v)", err)
	}
	for _, want := range []string{"set -euo pipefail", "go vet ./...", "gofmt -l .", "CI=true"} {
		if !strings.Contains(string(ci), want) {
			t.Errorf(".ci/run does not contain %q", want)
		}
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", filepath.Join(root, ".ci", "run")).CombinedOutput(); err != nil {
			t.Errorf("bash -n .ci/run: %v\n%s", err, out)
		}
	}
}

// TestREADMEDocumentsCommands checks that the README's command reference has a section
// for every command and mentions every flag of the common and recording sets and of
// inspect and convert.
func TestREADMEDocumentsCommands(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	sections := map[string]bool{}
	for _, l := range strings.Split(readme, "\n") {
		if h, ok := strings.CutPrefix(l, "### "); ok {
			for _, name := range strings.Split(h, ",") {
				sections[strings.TrimSpace(name)] = true
			}
		}
	}
	for name := range commands {
		if !sections[name] {
			t.Errorf("README.md has no \"### %s\" section in its command reference", name)
		}
	}
	for _, name := range []string{"inspect", "convert"} {
		fs := newFlagSet(commands[name], &env{}, io.Discard)
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(readme, "`-"+f.Name) && !strings.Contains(readme, "`--"+f.Name) && !strings.Contains(readme, "--"+f.Name+"`") {
				t.Errorf("README.md does not mention the flag -%s of %s", f.Name, name)
			}
		})
	}
}
