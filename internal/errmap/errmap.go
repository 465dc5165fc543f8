// Package errmap translates the sentinel errors of commands and queries into
// the wire's error codes (api.Error) and HTTP statuses, in one place
// (OpenFGA's HandleError). It must never import NATS or Pebble.
package errmap

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/queries"
)

var table = []struct {
	err  error
	code string
}{
	{commands.ErrUnauthenticated, api.CodeUnauthenticated},
	{queries.ErrUnauthenticated, api.CodeUnauthenticated},
	{commands.ErrInvalidArgument, api.CodeInvalidArgument},
	{queries.ErrInvalidArgument, api.CodeInvalidArgument},
	{commands.ErrForbidden, api.CodeForbidden},
	{queries.ErrForbidden, api.CodeForbidden},
	{commands.ErrNotFound, api.CodeNotFound},
	{queries.ErrNotFound, api.CodeNotFound},
	{commands.ErrAlreadyExists, api.CodeAlreadyExists},
	{commands.ErrFailedPrecondition, api.CodeFailedPrecondition},
	{commands.ErrConflict, api.CodeConflict},
	{commands.ErrUnavailable, api.CodeUnavailable},
	{queries.ErrUnavailable, api.CodeUnavailable},
}

// MaxMessage bounds an error message in bytes. Messages name the offending
// value, and a value can be nearly as large as the request (NATS's max
// payload): a reply must stay small enough to be delivered.
const MaxMessage = 1024

// ToAPI maps an error to its wire form; nil stays nil. An error wrapping no
// known sentinel is "internal" with a generic message (its text is logged by
// the caller, never sent: it may hold details a client should not see).
func ToAPI(err error) *api.Error {
	if err == nil {
		return nil
	}
	var ae *api.Error
	if errors.As(err, &ae) {
		return &api.Error{Code: ae.Code, Message: truncate(ae.Message)}
	}
	for _, t := range table {
		if errors.Is(err, t.err) {
			return &api.Error{Code: t.code, Message: truncate(message(err, t.err))}
		}
	}
	return &api.Error{Code: api.CodeInternal, Message: "internal error"}
}

// message strips the sentinel's own text from the front of the message.
func message(err, sentinel error) string {
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, sentinel.Error()+": "); ok {
		return rest
	}
	return msg
}

// HTTPStatus is the HTTP status for a wire code.
func HTTPStatus(code string) int {
	switch code {
	case api.CodeUnauthenticated:
		return http.StatusUnauthorized
	case api.CodeInvalidArgument:
		return http.StatusBadRequest
	case api.CodeForbidden:
		return http.StatusForbidden
	case api.CodeNotFound:
		return http.StatusNotFound
	case api.CodeAlreadyExists, api.CodeConflict:
		return http.StatusConflict
	case api.CodeFailedPrecondition:
		return http.StatusPreconditionFailed
	case api.CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// truncate cuts a message to MaxMessage bytes at a rune boundary.
func truncate(msg string) string {
	if len(msg) <= MaxMessage {
		return msg
	}
	cut := MaxMessage - len(" …(truncated)")
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + " …(truncated)"
}
