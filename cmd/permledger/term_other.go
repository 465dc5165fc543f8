//go:build !linux && !darwin

package main

import (
	"errors"
	"os"
)

// isTerminal reports whether f is a character device, a terminal most likely.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// echoOff is not supported here: the password must come on stdin.
func echoOff(*os.File) (func(), error) {
	return nil, errors.New("not supported on this platform")
}
