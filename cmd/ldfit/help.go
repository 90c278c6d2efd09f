package main

import "io"

func init() {
	register(&command{
		name:    "help",
		usage:   "[COMMAND]",
		summary: "show the list of commands, or a command's usage and flags",
		help: `Without an argument, help lists the commands. With a command's name, it prints
that command's usage, what it does and every flag it takes, including the common
flags -o, --json, -q, --seed, --workers and -profile.`,
		run: runHelp,
	})
}

func runHelp(e *env, args []string) error {
	switch len(args) {
	case 0:
		printCommands(e.stdout)
		return nil
	case 1:
		return commandHelp(e.stdout, args[0])
	}
	return usagef("help takes at most one command name, got %d arguments", len(args))
}

// commandHelp prints the usage and flags of the command called name on w.
func commandHelp(w io.Writer, name string) error {
	c, ok := commands[name]
	if !ok {
		return usagef("unknown command %q; run \"ldfit help\" for the list", name)
	}
	commandUsage(w, c, newFlagSet(c, &env{}, w))
	return nil
}
