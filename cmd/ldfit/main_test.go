package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ldfit runs the command line in-process and returns its exit code, stdout and stderr.
func ldfit(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

// wantExit fails the test unless the command line exits with code and its stderr
// contains every one of msgs.
func wantExit(t *testing.T, code int, msgs []string, args ...string) (stdout, stderr string) {
	t.Helper()
	got, stdout, stderr := ldfit(t, args...)
	if got != code {
		t.Fatalf("ldfit %s: exit code %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, stdout, stderr)
	}
	for _, m := range msgs {
		if !strings.Contains(stderr, m) {
			t.Errorf("ldfit %s: stderr %q does not contain %q", strings.Join(args, " "), stderr, m)
		}
	}
	if code != 0 && len(args) > 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
		t.Errorf("ldfit %s: error takes more than two lines:\n%s", strings.Join(args, " "), stderr)
	}
	return stdout, stderr
}

func TestUsageErrors(t *testing.T) {
	wantExit(t, 2, []string{"usage: ldfit <command>", "help"})
	wantExit(t, 2, []string{`unknown command "frobnicate"`, "ldfit help"}, "frobnicate")
	wantExit(t, 2, []string{"-nope", `ldfit help version`}, "version", "-nope")
	wantExit(t, 2, []string{"--workers must be at least 1, got 0"}, "version", "--workers", "0")
	wantExit(t, 2, []string{"-profile must be cpu, mem, block, mutex or trace", `"heap"`}, "version", "-profile", "heap")
	wantExit(t, 2, []string{`ldfit version: takes no arguments, got "extra"; usage: ldfit version [flags]` + "\n"}, "version", "extra")
	wantExit(t, 2, []string{"ldfit inspect: missing FILE; usage: ldfit inspect [flags] FILE\n"}, "inspect")
	wantExit(t, 2, []string{`ldfit convert: unexpected argument "c" after IN OUT; usage: ldfit convert [flags] IN OUT`}, "convert", "a", "b", "c")
	wantExit(t, 2, []string{`unknown command "nope"`}, "help", "nope")
	wantExit(t, 2, []string{"at most one command"}, "help", "a", "b")
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		out, _ := wantExit(t, 0, nil, args...)
		for name, c := range commands {
			if !strings.Contains(out, name) || !strings.Contains(out, c.summary) {
				t.Errorf("ldfit %s does not list %s: %s", args[0], name, out)
			}
		}
	}
	// The list follows the workflow: data first, help and version last.
	out, _ := wantExit(t, 0, nil, "help")
	if i, j, k := strings.Index(out, "\n  inspect "), strings.Index(out, "\n  convert "), strings.Index(out, "\n  help "); !(0 <= i && i < j && j < k) {
		t.Errorf("command list out of order:\n%s", out)
	}
	for name, c := range commands {
		out, _ := wantExit(t, 0, nil, "help", name)
		for _, want := range []string{"usage: ldfit " + name, c.summary, "common flags:", "-workers", "-profile-dir"} {
			if !strings.Contains(out, want) {
				t.Errorf("ldfit help %s: no %q in\n%s", name, want, out)
			}
		}
		// -h on the command prints the same help on stdout and succeeds.
		if h, _ := wantExit(t, 0, nil, name, "-h"); h != out {
			t.Errorf("ldfit %s -h differs from ldfit help %s:\n%s\n---\n%s", name, name, h, out)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _ := wantExit(t, 0, nil, "version")
	if !strings.HasPrefix(out, "ldfit ") || !strings.Contains(out, "go1.") {
		t.Errorf("ldfit version = %q, want ldfit <version> ... go1.x", out)
	}
	out, _ = wantExit(t, 0, nil, "--version")
	if !strings.HasPrefix(out, "ldfit ") {
		t.Errorf("ldfit --version = %q", out)
	}
	out, _ = wantExit(t, 0, nil, "version", "--json")
	var v buildVersion
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ldfit version --json: %v\n%s", err, out)
	}
	if v.Version == "" || !strings.HasPrefix(v.Go, "go1.") || v.Platform == "" {
		t.Errorf("ldfit version --json = %+v", v)
	}
}

func TestVersionOf(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.25.3", Main: debug.Module{Path: "github.com/ldfit/ldfit", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-24T09:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	v := versionOf(bi)
	if v.Version != "(devel)" || v.Revision != "0123456789abcdef0123" || !v.Modified || v.Go != "go1.25.3" || v.Time != "2026-11-24T09:00:00Z" {
		t.Errorf("versionOf = %+v", v)
	}
	if !strings.HasPrefix(v.String(), "ldfit (devel) rev 0123456789ab+modified go1.25.3 ") {
		t.Errorf("String() = %q", v.String())
	}
	bi = &debug.BuildInfo{Main: debug.Module{Path: "github.com/ldfit/ldfit", Version: "v0.2.0"}}
	if v := versionOf(bi); v.Version != "v0.2.0" || v.Revision != "" || v.Modified {
		t.Errorf("release: %+v", v)
	}
	if v := versionOf(nil); v.Version != "(unknown)" || !strings.HasPrefix(v.Go, "go") {
		t.Errorf("no build info: %+v", v)
	}
}

func TestVersionString(t *testing.T) {
	v := buildVersion{Version: "(devel)", Revision: "9b61f03c0de1aaaabbbb", Modified: true, Go: "go1.26.0", Platform: "linux/amd64"}
	if got, want := v.String(), "ldfit (devel) rev 9b61f03c0de1+modified go1.26.0 linux/amd64"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	v = buildVersion{Version: "v0.1.0", Go: "go1.25.1", Platform: "darwin/arm64"}
	if got, want := v.String(), "ldfit v0.1.0 go1.25.1 darwin/arm64"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestProfile(t *testing.T) {
	dir := t.TempDir()
	wantExit(t, 0, nil, "version", "-profile", "cpu", "-profile-dir", dir)
	st, err := os.Stat(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() == 0 {
		t.Error("cpu.pprof is empty: the profile was not flushed")
	}
	for mode, name := range map[string]string{"mem": "mem.pprof", "block": "block.pprof", "mutex": "mutex.pprof", "trace": "trace.out"} {
		d := t.TempDir()
		wantExit(t, 0, nil, "version", "-profile", mode, "-profile-dir", d)
		if st, err := os.Stat(filepath.Join(d, name)); err != nil || st.Size() == 0 {
			t.Errorf("-profile %s: %s missing or empty (%v)", mode, name, err)
		}
	}
	// An unwritable folder is a failure with a message, not a process exit.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	wantExit(t, 1, []string{"-profile-dir"}, "version", "-profile", "mem", "-profile-dir", filepath.Join(file, "sub"))
}

// TestErrorOneLine checks that failures print a single "ldfit: ..." line whatever the
// error holds, and usage errors name the command.
func TestErrorOneLine(t *testing.T) {
	var o, e bytes.Buffer
	en := &env{stdout: &o, stderr: &e, name: "x"}
	if code := exitCode(en, errorString("first line\nsecond  line")); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if got, want := e.String(), "ldfit: first line; second line\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	e.Reset()
	if code := exitCode(en, usagef("bad flag")); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if got, want := e.String(), "ldfit x: bad flag\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
	if code := exitCode(en, nil); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestInterleave(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Float64("bin", 0, "")
	fs.Bool("json", false, "")
	fs.String("o", "", "")
	for _, c := range []struct{ in, want []string }{
		{[]string{"a.parquet", "--bin", "0.02", "b.arrow"}, []string{"--bin", "0.02", "--", "a.parquet", "b.arrow"}},
		{[]string{"a", "--json", "b"}, []string{"--json", "--", "a", "b"}},
		{[]string{"a", "-o=x", "--bin=1"}, []string{"-o=x", "--bin=1", "--", "a"}},
		{[]string{"--json", "a", "--", "-b", "--json"}, []string{"--json", "--", "a", "-b", "--json"}},
		{[]string{"--", "-b"}, []string{"--", "-b"}},
		{[]string{"-", "a"}, []string{"--", "-", "a"}},
	} {
		if got := interleave(fs, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("interleave(%q) = %q, want %q", c.in, got, c.want)
		}
		if err := fs.Parse(interleave(fs, c.in)); err != nil {
			t.Errorf("Parse(interleave(%q)): %v", c.in, err)
		}
	}
	// A flag missing its value is left last, for the parser to report.
	fs.SetOutput(io.Discard)
	if got := interleave(fs, []string{"a", "-o"}); !reflect.DeepEqual(got, []string{"-o"}) {
		t.Errorf("interleave(a -o) = %q", got)
	}
	if err := fs.Parse(interleave(fs, []string{"a", "-o"})); err == nil || !strings.Contains(err.Error(), "needs an argument") {
		t.Errorf("a -o: %v", err)
	}
}

func TestPrintTable(t *testing.T) {
	var b bytes.Buffer
	printTable(&b, []string{"unit", "mean", "note"}, [][]string{
		{"a", "1.5", "ok"},
		{"long-name", "-12.25", "x"},
		{"μ", "-", "none"},
	})
	want := "unit         mean  note\n" +
		"a             1.5  ok\n" +
		"long-name  -12.25  x\n" +
		"μ               -  none\n"
	if b.String() != want {
		t.Errorf("printTable:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	v := map[string]any{"b": number(math.NaN()), "a": number(1.5), "c": []number{number(math.Inf(1)), 2}}
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": 1.5,\n  \"b\": null,\n  \"c\": [\n    null,\n    2\n  ]\n}\n"
	if b.String() != want {
		t.Errorf("writeJSON = %q, want %q", b.String(), want)
	}
	if err := writeJSON(&b, math.NaN()); err == nil || !strings.Contains(err.Error(), "JSON") {
		t.Errorf("writeJSON(NaN) error = %v, want an error about JSON", err)
	}
}

func TestWarnf(t *testing.T) {
	var e bytes.Buffer
	en := &env{stderr: &e, name: "inspect"}
	en.warnf("%d units dropped", 3)
	if got, want := e.String(), "ldfit inspect: warning: 3 units dropped\n"; got != want {
		t.Errorf("warnf wrote %q, want %q", got, want)
	}
	e.Reset()
	en.Quiet = true
	en.warnf("silenced")
	if e.Len() != 0 {
		t.Errorf("warnf with -q wrote %q", e.String())
	}
}

func TestProgress(t *testing.T) {
	// Not a terminal: silent, but counting, also from several goroutines.
	var e bytes.Buffer
	p := (&env{stderr: &e}).progress("scan", 1000)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 250 {
				p.Add(1)
			}
		}()
	}
	wg.Wait()
	p.Done()
	if e.Len() != 0 {
		t.Errorf("progress wrote %q to a non-terminal", e.String())
	}
	if got := p.done.Load(); got != 1000 {
		t.Errorf("progress counted %d, want 1000", got)
	}
	// Quick work shows nothing, even on a terminal.
	p = &progress{label: "scan", total: 4, w: &e, start: time.Now()}
	p.Add(1)
	p.Done()
	if e.Len() != 0 {
		t.Errorf("progress of quick work wrote %q", e.String())
	}
	// Longer work: the output format, as a terminal would see it.
	p = &progress{label: "scan", total: 4, w: &e, start: time.Now().Add(-2 * progressDelay)}
	p.Add(1)
	p.Add(1) // within 200 ms of the last line: not printed
	p.Done()
	if s := e.String(); !strings.HasPrefix(s, "\rscan: 1/4 (25%)") || !strings.Contains(s, "\rscan: 2/4 (50%)") || !strings.HasSuffix(s, "\n") || strings.Count(s, "\r") != 2 {
		t.Errorf("progress output %q", s)
	}
	if isTerminal(&e) {
		t.Error("a buffer is not a terminal")
	}
}

func TestSplitListAbbrevWantArgs(t *testing.T) {
	if got := splitList(" a, b,,c ,"); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("splitList = %q", got)
	}
	if got := splitList(""); got != nil {
		t.Errorf("splitList(\"\") = %q, want nil", got)
	}
	if got, want := abbrev([]string{"a", "b", "c", "d"}, 2), "a, b, … (2 more)"; got != want {
		t.Errorf("abbrev = %q, want %q", got, want)
	}
	if err := wantArgs([]string{"x"}, "IN", "OUT"); err == nil || !strings.Contains(err.Error(), "missing OUT") {
		t.Errorf("wantArgs missing: %v", err)
	}
	if err := wantArgs([]string{"x", "y", "z"}, "IN", "OUT"); err == nil || !strings.Contains(err.Error(), `"z"`) {
		t.Errorf("wantArgs extra: %v", err)
	}
	if err := wantArgs([]string{"x", "y"}, "IN", "OUT"); err != nil {
		t.Errorf("wantArgs: %v", err)
	}
}

func TestAddInputRefusesOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.parquet")
	if err := os.WriteFile(in, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.parquet")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{in, link, filepath.Join(dir, ".", "in.parquet")} {
		e := &env{Out: out}
		err := e.addInput(in)
		if err == nil || !strings.Contains(err.Error(), "would overwrite the input file") {
			t.Errorf("-o %s with input %s: err = %v", out, in, err)
		}
	}
	e := &env{Out: filepath.Join(dir, "out.parquet"), args: []string{"convert", "in", "out"}}
	if err := e.addInput(in); err != nil {
		t.Fatal(err)
	}
	wo := e.writeOptions(map[string]string{"k": "v"})
	if !reflect.DeepEqual(wo.Inputs, []string{in}) || wo.Meta["k"] != "v" || wo.Meta["ldfit.command"] != "ldfit convert in out" {
		t.Errorf("writeOptions = %+v", wo)
	}
}

func TestRecordingFlagsCheck(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--from", "-1"}, "--from"},
		{[]string{"--from", "2", "--to", "1"}, "--to (1) must be after --from (2)"},
		{[]string{"--nan", "zero"}, `--nan must be error, drop or interpolate, got "zero"`},
		{[]string{"--transform", "square"}, `--transform must be sqrt, log1p or rate, got "square"`},
		{[]string{"--smooth", "box:1"}, "--smooth must be exp:TAU or gauss:SIGMA"},
		{[]string{"--smooth", "exp:-1"}, "--smooth must be exp:TAU"},
		{[]string{"--bin", "-0.1"}, "--bin must be a positive width"},
		{[]string{"--step", "NaN"}, "--step"},
		{[]string{"--smooth", "gauss:0.02", "--bin", "0.01", "--nan", "drop"}, ""},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		rf := addRecordingFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := rf.check()
		if c.msg == "" {
			if err != nil {
				t.Errorf("%q: %v", c.args, err)
			}
			continue
		}
		if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: err = %v, want a usage error containing %q", c.args, err, c.msg)
		}
	}
}

// TestConcurrentRuns runs commands at once: their flag values must not mix (run with
// -race to see the difference).
func TestConcurrentRuns(t *testing.T) {
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			args := []string{"inspect", "--json", aplysia, "--to", "30"}
			if i%2 == 1 {
				args = []string{"inspect", "--json", aplysia, "--units", "n059"}
			}
			code, out, stderr := ldfit(t, args...)
			var info fileInfo
			if code != 0 || json.Unmarshal([]byte(out), &info) != nil {
				t.Errorf("%q: exit code %d, %s", args, code, stderr)
				return
			}
			if i%2 == 1 && info.Units != 1 || i%2 == 0 && (info.Units != aplysiaUnits || info.End != 30) {
				t.Errorf("%q: %d units, end %v", args, info.Units, info.End)
			}
		}()
	}
	wg.Wait()
}

// TestInterruptible sends this process an interrupt: the context is cancelled and the
// process goes on (the grace period is cut short by stop).
func TestInterruptible(t *testing.T) {
	ctx, stop := interruptible(io.Discard)
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the interrupt did not cancel the context")
	}
	e := &env{ctx: ctx}
	if err := e.interrupted(); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("interrupted() = %v", err)
	}
	if err := (&env{ctx: context.Background()}).interrupted(); err != nil {
		t.Errorf("interrupted() without a signal = %v", err)
	}
}
