package natslog

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var (
	// ErrConflict: the stream's last sequence was not the expected one, so
	// nothing was appended. JetStream reports this as error code 10071
	// (JSStreamWrongLastSequenceErrF, "wrong last sequence: N") or 10164
	// (JSStreamWrongLastSequenceConstantErr, used by replicated streams in
	// batch and per-subject checks). Error code 10158
	// (JSStreamDuplicateMessageConflict, "duplicate message id is in
	// process"), which a replicated stream returns while another append with
	// the same message id is still being committed, is an ErrConflict too.
	ErrConflict = errors.New("natslog: append conflict")
	// ErrDuplicate: the message id was already appended within the duplicate
	// window; Append returns the sequence of that earlier append with it.
	ErrDuplicate = errors.New("natslog: duplicate message id")
	// ErrTooLarge: the payload and headers exceed the stream's MaxMsgSize
	// (error code 10054) or the server's max payload (nats.ErrMaxPayload).
	// It is the caller's fault, never an outage.
	ErrTooLarge = errors.New("natslog: message too large")
	// ErrUnavailable: the log could not be reached: timeouts, no responders,
	// closed or reconnecting connection, cancelled context, or a JetStream
	// API error with status 503. The cause is wrapped too.
	ErrUnavailable = errors.New("natslog: log unavailable")
)

// codeDuplicateInProcess is JSStreamDuplicateMessageConflict, not exported
// by the client library.
const codeDuplicateInProcess jetstream.ErrorCode = 10158

// unavailableCauses are client-side errors meaning the server was not reached
// or did not answer in time.
var unavailableCauses = []error{
	context.DeadlineExceeded, context.Canceled,
	nats.ErrTimeout, nats.ErrNoResponders, nats.ErrConnectionClosed,
	nats.ErrDisconnected, nats.ErrConnectionDraining, nats.ErrConnectionReconnecting,
	nats.ErrNoServers, nats.ErrReconnectBufExceeded, nats.ErrStaleConnection,
	jetstream.ErrNoStreamResponse, jetstream.ErrConnectionClosed,
	jetstream.ErrServerShutdown, jetstream.ErrNoHeartbeat,
}

// classify wraps err from operation op with the sentinel it stands for, if
// any, keeping err in the chain.
func classify(op string, err error) error {
	if kind := kindOf(err); kind != nil {
		return fmt.Errorf("%w: %s: %w", kind, op, err)
	}
	return fmt.Errorf("natslog: %s: %w", op, err)
}

// kindOf returns the sentinel error err stands for, or nil.
func kindOf(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence,
			apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant,
			apiErr.ErrorCode == codeDuplicateInProcess:
			return ErrConflict
		case apiErr.ErrorCode == jetstream.JSErrCodeStreamMessageExceedsMaximum:
			return ErrTooLarge
		case apiErr.Code == http.StatusServiceUnavailable:
			return ErrUnavailable
		}
		return nil
	}
	if errors.Is(err, nats.ErrMaxPayload) {
		return ErrTooLarge
	}
	for _, cause := range unavailableCauses {
		if errors.Is(err, cause) {
			return ErrUnavailable
		}
	}
	return nil
}

// unansweredCauses are the failures of one request attempt that mean it got
// no answer at all: its wait for the answer (ReplyWait) ran out, or nobody
// responded (no stream leader yet). Unlike the rest of unavailableCauses
// they say nothing about the connection, which is up or reconnecting.
var unansweredCauses = []error{
	context.DeadlineExceeded, nats.ErrTimeout,
	nats.ErrNoResponders, jetstream.ErrNoStreamResponse,
}

// unanswered reports whether err, from one request attempt whose caller's
// context is still live, means that attempt was not answered, so that the
// same request may be sent again. Definite answers (any JetStream API
// error, such as a conflict or a duplicate in process) and failures of the
// connection itself (closed, reconnect buffer full) are not.
func unanswered(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return false
	}
	for _, cause := range unansweredCauses {
		if errors.Is(err, cause) {
			return true
		}
	}
	return false
}
