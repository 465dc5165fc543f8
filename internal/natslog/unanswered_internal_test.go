package natslog

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestUnansweredRetriesOnlySilence: Append and LastSeq ask again only after an
// attempt that got no answer, never after a definite one or a failure of
// the connection itself.
func TestUnansweredRetriesOnlySilence(t *testing.T) {
	apiErr := func(status int, code jetstream.ErrorCode) error {
		return fmt.Errorf("nats: %w", &jetstream.APIError{Code: status, ErrorCode: code})
	}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"attempt's wait ran out", context.DeadlineExceeded, true},
		{"wrapped timeout", fmt.Errorf("publish: %w", nats.ErrTimeout), true},
		{"no responders", nats.ErrNoResponders, true},
		{"no stream response", jetstream.ErrNoStreamResponse, true},
		{"cancelled", context.Canceled, false},
		{"wrong last sequence", apiErr(http.StatusBadRequest, jetstream.JSErrCodeStreamWrongLastSequence), false},
		{"duplicate in process", apiErr(http.StatusServiceUnavailable, codeDuplicateInProcess), false},
		{"too large", apiErr(http.StatusBadRequest, jetstream.JSErrCodeStreamMessageExceedsMaximum), false},
		{"503 API error", apiErr(http.StatusServiceUnavailable, 10008), false},
		{"max payload", nats.ErrMaxPayload, false},
		{"connection closed", nats.ErrConnectionClosed, false},
		{"reconnect buffer full", nats.ErrReconnectBufExceeded, false},
		{"other", errors.New("boom"), false},
	} {
		if got := unanswered(c.err); got != c.want {
			t.Errorf("%s: unanswered(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
