package natslog

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Retry pacing for Read when the log is unreachable.
const (
	minReadBackoff = 50 * time.Millisecond
	maxReadBackoff = 2 * time.Second
)

// dropConsumerTimeout bounds the best-effort delete of a finished reader's
// ephemeral consumer.
const dropConsumerTimeout = 500 * time.Millisecond

// readBufferBytes bounds what a reader buffers ahead of fn. The client
// library's default is 500 messages whatever their size: with bulk-import
// batches of a few hundred KiB that held ~150 MiB per reader (issue 7). It
// must exceed the largest message (1 MiB by default) several times over.
const readBufferBytes = 16 << 20

// errReachedEnd stops ReadUntil's inner Read once toSeq was delivered.
var errReachedEnd = errors.New("natslog: reached end")

// Read calls fn with every entry from fromSeq on (0 or 1: from the
// beginning), in sequence order, including entries appended after Read
// started, until ctx is done (it returns ctx.Err()) or fn returns an error
// (it returns that error unchanged). fn runs on Read's goroutine.
//
// Entries come from a JetStream ordered consumer, which recreates itself
// when it sees a delivery gap. Read also drops any repeat, so Seq is strictly
// increasing with no repeats; there are no gaps unless entries were removed
// from the stream outside this package. If the log becomes unreachable, Read
// keeps retrying from the next sequence with backoff; it returns an
// ErrUnavailable error only once the connection is closed for good, and other
// errors (such as a deleted stream) as they come.
//
// Cancellation is prompt while Read waits for entries. While the connection
// is down and the client library is recreating its consumer, noticing it
// can take up to that library's 10s request timeout.
func (l *Log) Read(ctx context.Context, fromSeq uint64, fn func(Msg) error) error {
	next := max(fromSeq, 1)
	backoff := minReadBackoff
	for {
		before := next
		fnErr, err := l.readOnce(ctx, &next, fn)
		if fnErr != nil {
			return fnErr
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err = classify("read", err)
		if !errors.Is(err, ErrUnavailable) || l.nc.IsClosed() {
			return err
		}
		if next != before {
			backoff = minReadBackoff
		}
		if !sleepCtx(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, maxReadBackoff)
	}
}

// readOnce delivers entries from *next on with one ordered consumer,
// advancing *next, until fn fails (fnErr) or the consumer does (err).
func (l *Log) readOnce(ctx context.Context, next *uint64, fn func(Msg) error) (fnErr, err error) {
	cons, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy:    jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:      *next,
		MaxResetAttempts: 1,
	})
	if err != nil {
		return nil, err
	}
	defer l.dropConsumer(ctx, cons)
	it, err := cons.Messages(jetstream.PullMaxBytes(readBufferBytes))
	if err != nil {
		return nil, err
	}
	defer it.Stop()
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return nil, err
		}
		msg, err := toMsg(m)
		if err != nil {
			return nil, err
		}
		if msg.Seq < *next {
			continue // a repeat after the consumer was recreated
		}
		*next = msg.Seq + 1
		if err := fn(msg); err != nil {
			return err, nil
		}
	}
}

// toMsg converts a consumed JetStream message.
func toMsg(m jetstream.Msg) (Msg, error) {
	md, err := m.Metadata()
	if err != nil {
		return Msg{}, err
	}
	return Msg{
		Seq:     md.Sequence.Stream,
		Data:    m.Data(),
		Time:    md.Timestamp,
		Pending: md.NumPending,
		Header:  m.Headers(),
	}, nil
}

// dropConsumer deletes a finished reader's ephemeral consumer rather than
// leaving it for the server's inactivity cleanup. It is best effort and
// skipped while disconnected so that it never delays Read's return.
func (l *Log) dropConsumer(ctx context.Context, cons jetstream.Consumer) {
	info := cons.CachedInfo()
	if info == nil || !l.nc.IsConnected() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropConsumerTimeout)
	defer cancel()
	_ = l.js.DeleteConsumer(ctx, l.name, info.Name)
}

// sleepCtx waits for d or until ctx is done, reporting whether d passed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ReadUntil is Read that returns nil once toSeq has been delivered. toSeq 0
// means the log's last sequence at the time of the call. It returns nil at
// once if the log is empty (toSeq 0) or fromSeq is after toSeq. A toSeq
// beyond the current end waits for entries to reach it.
func (l *Log) ReadUntil(ctx context.Context, fromSeq, toSeq uint64, fn func(Msg) error) error {
	if toSeq == 0 {
		last, err := l.LastSeq(ctx)
		if err != nil {
			return err
		}
		toSeq = last
	}
	fromSeq = max(fromSeq, 1)
	if toSeq == 0 || fromSeq > toSeq {
		return nil
	}
	err := l.Read(ctx, fromSeq, func(m Msg) error {
		if m.Seq > toSeq {
			return errReachedEnd
		}
		if err := fn(m); err != nil {
			return err
		}
		if m.Seq == toSeq {
			return errReachedEnd
		}
		return nil
	})
	if errors.Is(err, errReachedEnd) {
		return nil
	}
	return err
}
