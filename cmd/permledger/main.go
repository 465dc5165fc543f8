package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	err := run(signalContext(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// signalContext is cancelled by the first SIGINT or SIGTERM; a second one
// gets the default behaviour (the process dies at once).
func signalContext() context.Context {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	return ctx
}
