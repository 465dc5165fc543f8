package natslog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Append appends data as the entry after expectedLastSeq (0 for an empty
// log) and returns its sequence, which is then expectedLastSeq+1.
//
// The expected last sequence is always sent (Nats-Expected-Last-Sequence),
// and msgID, when not empty, as Nats-Msg-Id for deduplication within the
// stream's duplicate window. hdr (may be nil) is copied onto the message; it
// must not carry NATS control headers (any key starting "Nats-"), which are
// rejected.
//
// Each publish attempt waits at most Config.ReplyWait (default
// DefaultReplyWait) for its acknowledgement. An attempt that got no answer
// (the wait ran out, or nobody responded: typically the stream's leader was
// lost with the acknowledgement, or no new leader is elected yet) is
// published again, the same message with the same msgID and the same
// expectedLastSeq, until an answer comes or ctx ends; a ctx without a
// deadline is given the JetStream client's default timeout (5s) for the
// whole call. A definite answer is never published again. A retry cannot
// append a second time, since the expected last sequence (and the msg id,
// within the window) guard it; while the client is reconnecting, it buffers
// every attempt and sends them all once reconnected, and the same guards
// drop the extras. But an earlier attempt of the same call may have landed:
// the retry then gets ErrDuplicate or ErrConflict as described below.
//
// Errors:
//   - ErrConflict: the log's last sequence is not expectedLastSeq; nothing
//     was appended by this answer (an earlier attempt of this call, or an
//     earlier call with the same msgID, may have appended it).
//   - ErrDuplicate, with the sequence of the earlier append: msgID was
//     appended within the duplicate window, possibly by an earlier attempt
//     of this very call; nothing new was appended.
//   - ErrTooLarge: data plus headers exceed the stream or server limit.
//   - ErrUnavailable: the server was not reached, or no attempt was answered
//     before ctx ended. The append may or may not have happened: retry with
//     the same msgID.
//
// Which check wins when both msgID is a duplicate and expectedLastSeq is
// stale depends on the stream, as implemented by nats-server 2.15:
//   - Replicas 1 (also R1 inside a cluster): the expected sequence is checked
//     first, so a retry with the same stale expectedLastSeq gets
//     ErrConflict, not ErrDuplicate. ErrDuplicate comes only when
//     expectedLastSeq equals the current last sequence.
//   - Replicas > 1: the message id is checked first, so a duplicate gets
//     ErrDuplicate whatever expectedLastSeq is, or ErrConflict (code 10158)
//     while the first append with that id is still being committed.
//
// A caller that gets ErrConflict must therefore check its own idempotency
// record to tell "my earlier attempt landed" from "someone else appended".
func (l *Log) Append(ctx context.Context, data []byte, msgID string, expectedLastSeq uint64, hdr nats.Header) (uint64, error) {
	msg, err := l.newMsg(data, hdr)
	if err != nil {
		return 0, err
	}
	opts := []jetstream.PublishOpt{jetstream.WithExpectLastSequence(expectedLastSeq),
		jetstream.WithRetryAttempts(0)} // untilAnswered retries no responders too
	if msgID != "" {
		opts = append(opts, jetstream.WithMsgID(msgID))
	}
	var ack *jetstream.PubAck
	attempts, err := l.untilAnswered(ctx, func(ctx context.Context) (err error) {
		ack, err = l.js.PublishMsg(ctx, msg, opts...)
		return err
	})
	if err != nil {
		return 0, classify(fmt.Sprintf("append after %d (%d attempts)", expectedLastSeq, attempts), err)
	}
	if ack.Duplicate {
		return ack.Sequence, fmt.Errorf("%w: msg id %q is seq %d", ErrDuplicate, msgID, ack.Sequence)
	}
	return ack.Sequence, nil
}

// newMsg builds the message to publish, copying hdr.
func (l *Log) newMsg(data []byte, hdr nats.Header) (*nats.Msg, error) {
	msg := &nats.Msg{Subject: l.subject, Data: data, Header: make(nats.Header, len(hdr)+2)}
	for k, vs := range hdr {
		if strings.HasPrefix(strings.ToLower(k), "nats-") {
			return nil, fmt.Errorf("natslog: append: header %q is reserved for NATS", k)
		}
		msg.Header[k] = slices.Clone(vs)
	}
	return msg, nil
}
