package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// readPassword reads the password from the terminal without echo (twice,
// compared) when stdin is a terminal, else one line from stdin.
func readPassword(ctx context.Context, e *environ, user string) (string, error) {
	return readPasswordConfirm(ctx, e, user, true)
}

// readLoginPassword is readPassword asking once: a login compares it.
func readLoginPassword(ctx context.Context, e *environ, user string) (string, error) {
	return readPasswordConfirm(ctx, e, user, false)
}

func readPasswordConfirm(ctx context.Context, e *environ, user string, confirm bool) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && isTerminal(f) {
		return promptPassword(ctx, f, e.stderr, user, confirm)
	}
	pw, err := readLine(bufio.NewReader(e.stdin))
	if err != nil {
		return "", fmt.Errorf("reading the password from stdin: %w", err)
	}
	return pw, nil
}

// readLine reads one line, without its line ending; a last line without a
// newline is fine, no line at all is an error.
func readLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		if errors.Is(err, io.EOF) {
			return "", errors.New("no password given")
		}
		return "", err
	}
	return strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r"), nil
}

func promptPassword(ctx context.Context, tty *os.File, prompt io.Writer, user string, confirm bool) (string, error) {
	r := bufio.NewReader(tty)
	fmt.Fprintf(prompt, "Password for %s: ", user)
	pw, err := readNoEcho(ctx, tty, r)
	fmt.Fprintln(prompt)
	if err != nil || !confirm {
		return pw, err
	}
	fmt.Fprintf(prompt, "Again: ")
	again, err := readNoEcho(ctx, tty, r)
	fmt.Fprintln(prompt)
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", errors.New("the passwords do not match")
	}
	return pw, nil
}

// readNoEcho reads a line from the terminal with echo off, restoring the
// terminal afterwards, or when ctx ends (Ctrl-C) while it waits.
func readNoEcho(ctx context.Context, tty *os.File, r *bufio.Reader) (string, error) {
	restore, err := echoOff(tty)
	if err != nil {
		return "", fmt.Errorf("turning the terminal's echo off (pipe the password on stdin instead): %w", err)
	}
	defer restore()
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := readLine(r)
		done <- result{line, err}
	}()
	select {
	case res := <-done:
		return res.line, res.err
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}
