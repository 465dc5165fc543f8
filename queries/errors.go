package queries

import (
	"errors"
	"fmt"
)

// Sentinel errors; every error a query returns wraps one of them.
var (
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrUnavailable: the read model did not reach the requested sequence
	// before the deadline, or could not be read.
	ErrUnavailable = errors.New("unavailable")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidArgument, fmt.Sprintf(format, args...))
}

var errUnauthenticated = fmt.Errorf("%w: invalid or expired token", ErrUnauthenticated)
