package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes.
const (
	exitFailure = 1 // a check denied, a verify found differences, a scenario failed
	exitUsage   = 2 // unknown command or bad flags
	exitErrored = 2 // a client command's error (the server's, or reaching it)
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

// failed makes err exit with exitErrored (nil stays nil).
func failed(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitErrored, err: err}
}

// exitCode maps run's error to the process exit code, printing the error as
// "permledger: MESSAGE" (an API error reads "permledger: CODE: MESSAGE").
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	code := exitErrored
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
