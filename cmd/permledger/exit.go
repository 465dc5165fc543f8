package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes.
const (
	exitFailure = 1 // a command failed, a check denied, a scenario failed
	exitUsage   = 2 // unknown command or bad flags; and check/authenticate errors
)

// exitError makes the process exit with code. A nil err means the reason
// was already printed (a usage message, a "deny" answer).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageError() error { return &exitError{code: exitUsage} }

// exitCode maps run's error to the process exit code, printing the error as
// "permledger: MESSAGE" (an API error reads "permledger: CODE: MESSAGE").
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	code := exitFailure
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}
	if err != nil {
		fmt.Fprintf(stderr, "permledger: %v\n", err)
	}
	return code
}
