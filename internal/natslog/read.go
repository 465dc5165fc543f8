package natslog

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync/atomic"
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

// readHeartbeat is the idle heartbeat a reader's pull requests ask for; after
// two missed ones the reader gives its consumer up and starts a new one.
const readHeartbeat = 5 * time.Second

// readInactiveThreshold is how long the server keeps a reader's consumer
// that nobody pulls from: one whose creation's answer was lost, or whose
// delete was skipped.
const readInactiveThreshold = 2 * time.Minute

// minReadStall is the least wait for an entry after which the watchdog
// asks whether the log holds it, whatever ReplyWait.
const minReadStall = 200 * time.Millisecond

// errReachedEnd stops ReadUntil's inner Read once toSeq was delivered.
var errReachedEnd = errors.New("natslog: reached end")

// ErrMissing: the stream lacks entries Read had to deliver next (they were
// removed outside this package; the stream denies deletes and purges). Read
// returns it rather than skip them.
var ErrMissing = errors.New("natslog: entries missing from the log")

// errRestart ends readOnce when its consumer stalled or lost deliveries in
// transit: Read starts a new one from the next sequence at once.
var errRestart = errors.New("natslog: reader restarts its consumer")

// Read calls fn with every entry from fromSeq on (0 or 1: from the
// beginning), in sequence order, including entries appended after Read
// started, until ctx is done (it returns ctx.Err()) or fn returns an error
// (it returns that error unchanged). fn runs on Read's goroutine.
//
// fn sees every sequence once, each the one after the last: Read hands fn
// an entry only if its sequence is the next one it needs, and otherwise
// either drops it (a repeat), starts over from the next sequence (a
// delivery lost in transit), or, when the stream itself lacks that
// sequence, returns an error wrapping ErrMissing.
//
// Entries come from an ephemeral pull consumer of Read's own (in memory, one
// replica, no acks) that starts at the next sequence; Read replaces it by a
// new one from the next sequence whenever it fails. Its creation is a
// request that, like Append's, waits at most Config.ReplyWait for its answer
// and is sent again (same name, same configuration) until answered. A
// watchdog replaces it too when Read has waited ReplyWait without an entry
// while the log's last sequence (LastSeq, asked at most once a ReplyWait
// while Read waits that long) says there is one to deliver: after the loss
// of a server the consumer, or the connection it delivered on, may be gone
// without a word. So the reader's stall after a server loss is about
// ReplyWait beyond the new stream leader's election, not the 10 s request
// timeout with which the client library's ordered consumer recreates itself.
//
// If the log becomes unreachable, Read keeps retrying from the next sequence
// with backoff; it returns an ErrUnavailable error only once the connection
// is closed for good, and other errors (such as a deleted stream) as they
// come. Cancellation is prompt.
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
		if next != before {
			backoff = minReadBackoff
		}
		if errors.Is(err, errRestart) {
			continue
		}
		if !errors.Is(err, ErrUnavailable) || l.nc.IsClosed() {
			return err
		}
		if !sleepCtx(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, maxReadBackoff)
	}
}

// readOnce delivers entries from *next on with one consumer, advancing
// *next, until fn fails (fnErr) or the consumer does (err: errRestart, an
// ErrUnavailable or ErrMissing error, or another failure of the log).
func (l *Log) readOnce(ctx context.Context, next *uint64, fn func(Msg) error) (fnErr, err error) {
	name := "permledger_read_" + rand.Text()
	cons, err := l.createReader(ctx, name, *next)
	if err != nil {
		return nil, err
	}
	restarting := false
	defer func() { l.dropConsumer(ctx, name, restarting) }()
	it, err := cons.Messages(jetstream.PullMaxBytes(readBufferBytes), jetstream.PullHeartbeat(readHeartbeat),
		jetstream.WithMessagesErrOnMissingHeartbeat(true))
	if err != nil {
		return nil, classify("read", err)
	}
	defer it.Stop()

	w := &stallWatch{}
	w.next.Store(*next)
	wctx, stop := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); l.watchStall(wctx, w, stop) }()
	defer func() { stop(); <-watched }()

	var lastDelivery uint64 // the consumer's sequence of the last message received
	for {
		w.waiting.Store(time.Now().UnixNano())
		m, err := it.Next(jetstream.NextContext(wctx))
		w.waiting.Store(0)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case w.stalled.Load():
			restarting = true
			return nil, errRestart
		case l.nc.IsClosed():
			return nil, classify("read", err)
		default: // the consumer was lost: deleted, or no heartbeats
			return nil, fmt.Errorf("%w: read: consumer %s: %w", ErrUnavailable, name, err)
		}
		msg, delivery, err := toMsg(m)
		if err != nil {
			return nil, classify("read", err)
		}
		inOrder := delivery == lastDelivery+1
		lastDelivery = delivery
		switch {
		case msg.Seq < *next:
			continue // a repeat
		case msg.Seq > *next && inOrder:
			// Nothing was lost in transit, so the consumer passed over
			// sequences its stream does not hold.
			return nil, fmt.Errorf("%w: read: after %d came %d", ErrMissing, *next-1, msg.Seq)
		case msg.Seq > *next:
			restarting = true
			return nil, errRestart // deliveries lost in transit
		}
		*next = msg.Seq + 1
		w.next.Store(*next)
		if err := fn(msg); err != nil {
			return err, nil
		}
	}
}

// createReader creates a reader's consumer delivering from seq from on.
// Each attempt waits at most ReplyWait for its answer; an unanswered one is
// sent again, which creates nothing twice: the name is the same.
func (l *Log) createReader(ctx context.Context, name string, from uint64) (jetstream.Consumer, error) {
	cfg := jetstream.ConsumerConfig{
		Name:              name,
		DeliverPolicy:     jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:       from,
		AckPolicy:         jetstream.AckNonePolicy,
		InactiveThreshold: readInactiveThreshold,
		Replicas:          1,
		MemoryStorage:     true,
	}
	var cons jetstream.Consumer
	_, err := l.untilAnswered(ctx, func(ctx context.Context) (err error) {
		cons, err = l.stream.CreateOrUpdateConsumer(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, classify("read: create consumer", err)
	}
	return cons, nil
}

// stallWatch is what readOnce shares with its watchdog.
type stallWatch struct {
	waiting atomic.Int64  // since when (UnixNano) Next waits for an entry; 0 while it does not
	next    atomic.Uint64 // the sequence Read needs next
	stalled atomic.Bool   // set by the watchdog before it ends the read
}

// watchStall calls restart, after setting w.stalled, once the reader has
// waited ReplyWait (at least minReadStall) for an entry that the log's last
// sequence says is there, and still waits. It returns when ctx ends.
func (l *Log) watchStall(ctx context.Context, w *stallWatch, restart context.CancelFunc) {
	after := max(l.replyWait, minReadStall)
	tick := time.NewTicker(after / 4)
	defer tick.Stop()
	var asked time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		since := w.waiting.Load()
		if since == 0 || time.Since(time.Unix(0, since)) < after || time.Since(asked) < after {
			continue
		}
		asked = time.Now()
		last, err := l.LastSeq(ctx)
		if err == nil && last >= w.next.Load() && w.waiting.Load() == since {
			w.stalled.Store(true)
			restart()
			return
		}
	}
}

// toMsg converts a consumed JetStream message, returning also its
// consumer sequence.
func toMsg(m jetstream.Msg) (Msg, uint64, error) {
	md, err := m.Metadata()
	if err != nil {
		return Msg{}, 0, err
	}
	return Msg{
		Seq:     md.Sequence.Stream,
		Data:    m.Data(),
		Time:    md.Timestamp,
		Pending: md.NumPending,
		Header:  m.Headers(),
	}, md.Sequence.Consumer, nil
}

// dropConsumer deletes a reader's consumer rather than leaving it for the
// server's inactivity cleanup. It is best effort, skipped while
// disconnected, and in the background when the reader goes on with a new
// consumer, so that it never delays Read.
func (l *Log) dropConsumer(ctx context.Context, name string, background bool) {
	if !l.nc.IsConnected() {
		return
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), dropConsumerTimeout)
		defer cancel()
		_ = l.js.DeleteConsumer(ctx, l.name, name)
	}
	if background {
		go drop()
	} else {
		drop()
	}
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
