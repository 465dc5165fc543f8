package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// environ is the process's outside world as run received it.
type environ struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// envOr is the environment variable name, or def when it is unset or empty:
// environment variables are only ever flag defaults.
func (e *environ) envOr(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// subcommand is one `permledger NAME`.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e *environ, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "run the ledger: NATS API, HTTP API, admin socket", runServe},
		{"root-user-create", "create or repair the root user (local operator command)", runRootUserCreate},
		{"check", "ask whether a user holds a permission, over NATS", runCheck},
		{"authenticate", "resolve a token to its user, over NATS", runAuthenticate},
		{"conformance", "run conformance scenarios against fresh embedded ledgers", runConformance},
		{"help", "list the commands, or show one's usage: permledger help COMMAND", nil},
	}
}

// run is the whole program: it dispatches args[0] to its subcommand and
// returns an *exitError for a non-zero exit.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &environ{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return usageError()
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return runHelp(ctx, e, args[1:])
	}
	for _, c := range subcommands() {
		if c.name == args[0] && c.run != nil {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "permledger: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return usageError()
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("permledger: an event-sourced permission ledger (NATS JetStream log, Pebble read model)\n\n")
	b.WriteString("usage: permledger COMMAND [flags] [args]\n\ncommands:\n")
	for _, c := range subcommands() {
		fmt.Fprintf(&b, "  %-17s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'permledger COMMAND -h' for a command's flags and an example.\n")
	io.WriteString(w, b.String())
}

// runHelp lists the commands on stdout, or prints one command's usage there.
func runHelp(ctx context.Context, e *environ, args []string) error {
	if len(args) == 0 {
		printUsage(e.stdout)
		return nil
	}
	for _, c := range subcommands() {
		if c.name == args[0] && c.run != nil {
			out := *e
			out.stderr = e.stdout
			return c.run(ctx, &out, []string{"-h"})
		}
	}
	fmt.Fprintf(e.stderr, "permledger help: unknown command %q\n\n", args[0])
	printUsage(e.stderr)
	return usageError()
}
