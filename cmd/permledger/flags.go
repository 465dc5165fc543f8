package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// errHelp reports that -h printed the usage: run returns nil for it.
var errHelp = flag.ErrHelp

// usage describes a subcommand for its -h.
type usage struct {
	name     string // e.g. "check"
	synopsis string // what follows the name, e.g. "[flags] USER PERMISSION [CONTEXT...]"
	about    string // what it does, a paragraph or two
	example  string // one or more command lines
}

// newFlagSet returns a subcommand's FlagSet, printing errors and usage on
// e.stderr.
func newFlagSet(e *environ, u usage) *flag.FlagSet {
	fs := flag.NewFlagSet(u.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: permledger %s %s\n\n%s\n\nexample:\n", u.name, u.synopsis, strings.TrimSpace(u.about))
		for _, line := range strings.Split(strings.TrimSpace(u.example), "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
		fmt.Fprintf(w, "\nflags (-name or --name):\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags wherever they appear among the positional
// arguments (`check alice app.read --json`); everything after `--` is
// positional. It wants between minArgs and maxArgs positionals (maxArgs < 0:
// no limit). Help returns errHelp; a bad flag or count a usage error.
func parseArgs(fs *flag.FlagSet, args []string, minArgs, maxArgs int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, errHelp
		} else if err != nil {
			return nil, usageError() // the flag package printed the error and the usage
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) < minArgs || (maxArgs >= 0 && len(pos) > maxArgs) {
		fmt.Fprintf(fs.Output(), "permledger %s: wrong number of arguments (%d)\n\n", fs.Name(), len(pos))
		fs.Usage()
		return nil, usageError()
	}
	return pos, nil
}

// helpOK turns errHelp into success: -h is not an error.
func helpOK(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}
