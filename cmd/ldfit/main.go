// Command ldfit fits random-recurrent-network models to recorded neural activity,
// predicts held-out activity and compares network architectures by exact
// infinite-width Bayesian inference.
//
// Usage:
//
//	ldfit <command> [flags] [arguments]
//
// Run "ldfit help" for the list of commands and "ldfit help <command>" for one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pkg/profile"
)

// command is one subcommand. Each lives in its own file and registers itself in init.
type command struct {
	name    string
	usage   string // arguments after the name, e.g. "FILE"
	summary string // one line for the command list
	help    string // longer text for "ldfit help <name>"
	// flags declares the command's own flags on fs; the common flags are already there.
	flags func(fs *flag.FlagSet)
	// run executes the command with its positional arguments.
	run func(env *env, args []string) error
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("ldfit: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// env carries what every command gets: the common flags and the output streams.
type env struct {
	Out     string // -o FILE
	JSON    bool   // --json
	Quiet   bool   // -q
	Seed    uint64 // --seed
	Workers int    // --workers
	profile string
	profDir string
	stdout  io.Writer
	stderr  io.Writer

	// ctx is cancelled on an interrupt (Ctrl-C) or SIGTERM. Long work checks it to stop
	// early and remove partial output; work that does not is ended after interruptGrace.
	ctx context.Context

	name   string   // the command's name, for messages
	args   []string // the command line after "ldfit", recorded in output metadata
	inputs []string // files read so far; -o refuses to overwrite any of them
}

// usageError marks an error in the command line (exit code 2). With withUsage the
// message is followed by the command's usage line.
type usageError struct {
	msg       string
	withUsage bool
}

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{msg: fmt.Sprintf(format, a...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// runMu serializes run: commands bind their flags to variables of a closure made at
// registration, so two runs at once (in tests) would share them.
var runMu sync.Mutex

// run executes the command line args and returns the exit code: 0 on success, 1 on
// failure, 2 on a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	runMu.Lock()
	defer runMu.Unlock()
	if len(args) == 0 {
		printCommands(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "ldfit: unknown command %q; run \"ldfit help\" for the list\n", name)
		return 2
	}
	ctx, stopSignals := interruptible(stderr)
	defer stopSignals()
	e := &env{stdout: stdout, stderr: stderr, name: c.name, args: args, ctx: ctx}
	fs := newFlagSet(c, e, stderr)
	if err := fs.Parse(interleave(fs, args[1:])); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(stdout, c, fs)
			return 0
		}
		fmt.Fprintf(stderr, "run \"ldfit help %s\" for its usage and flags\n", c.name)
		return 2
	}
	if e.Workers < 1 {
		fmt.Fprintf(stderr, "ldfit %s: --workers must be at least 1, got %d\n", c.name, e.Workers)
		return 2
	}
	stop, err := startProfile(e.profile, e.profDir)
	if err != nil {
		return exitCode(e, err)
	}
	err = c.run(e, fs.Args())
	stop()
	return exitCode(e, err)
}

// interruptGrace is how long a command may take to stop after an interrupt before the
// process exits anyway.
const interruptGrace = 3 * time.Second

// interruptible returns a context cancelled by an interrupt or SIGTERM, and the function
// that stops watching for them. After the first signal the default handling returns, so
// a second Ctrl-C ends the process at once; a command that does not stop within
// interruptGrace is ended with exit code 130.
func interruptible(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		cancel()
		select {
		case <-done:
		case <-time.After(interruptGrace):
			fmt.Fprintln(stderr, "ldfit: interrupted")
			os.Exit(130)
		}
	}()
	return ctx, func() { close(done); cancel() }
}

// newFlagSet returns the flag set of command c: the common flags bound to e, then the
// command's own. Usage and parse errors go to w.
func newFlagSet(c *command, e *env, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ldfit "+c.name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&e.Out, "o", "", "write the result to `FILE` (.parquet, .arrow, .feather, .arrows)")
	fs.BoolVar(&e.JSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&e.Quiet, "q", false, "print no progress or warnings")
	fs.Uint64Var(&e.Seed, "seed", 1, "use seed `N` for every random draw")
	fs.IntVar(&e.Workers, "workers", runtime.GOMAXPROCS(0), "run `N` parallel workers")
	fs.StringVar(&e.profile, "profile", "", "write a `KIND` of profile: cpu, mem, block, mutex or trace")
	fs.StringVar(&e.profDir, "profile-dir", ".", "write the -profile output into `DIR`")
	if c.flags != nil {
		c.flags(fs)
	}
	// The flag package calls Usage for -h and after a parse error; run prints the
	// help for the first and a pointer to it for the second.
	fs.Usage = func() {}
	return fs
}

// exitCode reports err on e's stderr and returns the process exit code for it.
func exitCode(e *env, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		msg := oneLine(err)
		if c := commands[e.name]; ue.withUsage && c != nil {
			msg += "; usage: " + strings.TrimSpace("ldfit "+c.name+" [flags] "+c.usage)
		}
		fmt.Fprintf(e.stderr, "ldfit %s: %s\n", e.name, msg)
		return 2
	default:
		fmt.Fprintf(e.stderr, "ldfit: %v\n", oneLine(err))
		return 1
	}
}

// interleave moves flags that follow positional arguments in front of them, so that
// "ldfit fit rec.parquet --tau 2" works as well as "ldfit fit --tau 2 rec.parquet".
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := a[1:]
		if name[0] == '-' {
			name = name[1:]
		}
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBool(f) {
			if i+1 == len(args) {
				return flags // the value is missing: let the parser say so
			}
			i++
			flags = append(flags, args[i])
		}
	}
	// "--" ends the flags, so that a positional argument starting with "-" stays one.
	return append(append(flags, "--"), pos...)
}

// oneLine returns err's message on a single line, so that a failure is always one
// "ldfit: ..." line on stderr even when a wrapped error carries line breaks.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// startProfile starts the profile named by mode (empty: none) and returns its stop.
// It runs inside run, not main, so that the profile is flushed before exit.
func startProfile(mode, dir string) (func(), error) {
	var p func(*profile.Profile)
	switch mode {
	case "":
		return func() {}, nil
	case "cpu":
		p = profile.CPUProfile
	case "mem":
		p = profile.MemProfile
	case "block":
		p = profile.BlockProfile
	case "mutex":
		p = profile.MutexProfile
	case "trace":
		p = profile.TraceProfile
	default:
		return nil, usagef("-profile must be cpu, mem, block, mutex or trace, got %q", mode)
	}
	// profile.Start exits the process when it cannot write; find that out first.
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("-profile-dir: %v", err)
	}
	probe, err := os.CreateTemp(dir, ".ldfit-profile-*")
	if err != nil {
		return nil, fmt.Errorf("-profile-dir %s is not writable: %v", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	s := profile.Start(p, profile.ProfilePath(dir), profile.NoShutdownHook, profile.Quiet)
	return s.Stop, nil
}

// workflow is the order in which the command list presents the commands: a user's
// path from data to results. Commands not named here follow in alphabetical order.
var workflow = []string{"inspect", "convert", "simulate", "dmft", "dim", "fit", "predict", "evaluate", "kernel", "compare", "help", "version"}

func printCommands(w io.Writer) {
	fmt.Fprintln(w, "usage: ldfit <command> [flags] [arguments]\n\ncommands:")
	var names, rest []string
	for _, n := range workflow {
		if commands[n] != nil {
			names = append(names, n)
		}
	}
	for n := range commands {
		if !slices.Contains(workflow, n) {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	for _, n := range append(names, rest...) {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun \"ldfit help <command>\" for a command's flags.")
}

// commonFlags are the flags newFlagSet declares on every command.
var commonFlags = map[string]bool{"o": true, "json": true, "q": true, "seed": true, "workers": true, "profile": true, "profile-dir": true}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "usage: %s\n\n%s\n", strings.TrimSpace("ldfit "+c.name+" [flags] "+c.usage), c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", c.help)
	}
	own := flag.NewFlagSet(c.name, flag.ContinueOnError)
	common := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.VisitAll(func(f *flag.Flag) {
		to := own
		if commonFlags[f.Name] {
			to = common
		}
		to.Var(f.Value, f.Name, f.Usage)
		to.Lookup(f.Name).DefValue = f.DefValue // f.Value may hold a parsed value by now
	})
	for _, s := range []struct {
		title string
		fs    *flag.FlagSet
	}{{"flags", own}, {"common flags", common}} {
		n := 0
		s.fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(w, "\n%s:\n", s.title)
			s.fs.SetOutput(w)
			s.fs.PrintDefaults()
		}
	}
}
