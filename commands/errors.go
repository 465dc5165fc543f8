package commands

import (
	"errors"
	"fmt"
)

// Sentinel errors, in the order SEMANTICS.md section 3 checks them. Every
// error a command returns wraps exactly one of them, with a message that
// names the offending value. Match them with errors.Is.
var (
	ErrUnauthenticated    = errors.New("unauthenticated")
	ErrInvalidArgument    = errors.New("invalid argument")
	ErrForbidden          = errors.New("forbidden")
	ErrNotFound           = errors.New("not found")
	ErrAlreadyExists      = errors.New("already exists")
	ErrFailedPrecondition = errors.New("failed precondition")
	// ErrConflict: a concurrent writer won and the retries ran out.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the log could not be reached.
	ErrUnavailable = errors.New("unavailable")
	// ErrDuplicate: the log saw this command id within its duplicate window.
	ErrDuplicate = errors.New("duplicate command id")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

func alreadyExists(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrAlreadyExists, fmt.Sprintf(format, args...))
}

func precondition(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFailedPrecondition, fmt.Sprintf(format, args...))
}

// errUnauthenticated is the one message for every failed authentication, so
// that the answer never tells whether a user exists.
var errUnauthenticated = fmt.Errorf("%w: invalid or expired credentials", ErrUnauthenticated)
