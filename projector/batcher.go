package projector

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// batcher accumulates messages and hands them to the applier when the
// consumer has no more pending or the batch is full. It decodes each
// message as it arrives, on the reading goroutine, while the applier
// goroutine writes the previous batch: on two cores decoding and writing
// overlap (issue 7). Once caught up it applies on the reading goroutine
// itself: a command waiting for its message is spared a hand-over.
type batcher struct {
	p      *Projector
	msgs   []readmodel.Msg
	bytes  int
	work   chan work     // to the applier, in order
	done   chan struct{} // closed when the applier has returned
	failed chan struct{} // closed when an apply failed
	err    error         // the failure, set before failed is closed
	abort  func()        // ends the read when an apply fails

	inflight atomic.Int32 // batches handed to the applier and not yet applied
	failOnce sync.Once
	stopped  bool
}

// work is a batch and what the consumer still had after it (for Observe).
type work struct {
	msgs    []readmodel.Msg
	pending uint64
}

// batcher starts a pipeline for one read; abort cancels that read.
func (p *Projector) batcher(abort func()) *batcher {
	b := &batcher{p: p, work: make(chan work, 1), done: make(chan struct{}), failed: make(chan struct{}), abort: abort}
	go b.applier()
	return b
}

func (b *batcher) add(m natslog.Msg) error {
	select {
	case <-b.failed:
		return b.err
	default:
	}
	b.msgs = append(b.msgs, readmodel.Msg{Seq: m.Seq, Time: m.Time, Data: m.Data, Decoded: readmodel.Decode(m.Data)})
	b.bytes += len(m.Data)
	if m.Pending == 0 || len(b.msgs) >= b.p.cfg.BatchSize || b.bytes >= b.p.cfg.BatchBytes {
		return b.flush(m.Pending)
	}
	return nil
}

// flush applies the batch, here when caught up with the applier idle, else
// through the applier. pending is what the consumer still has after it.
func (b *batcher) flush(pending uint64) error {
	if len(b.msgs) == 0 {
		return nil
	}
	w := work{msgs: b.msgs, pending: pending}
	b.msgs, b.bytes = make([]readmodel.Msg, 0, len(w.msgs)), 0
	if pending == 0 && b.inflight.Load() == 0 {
		if err := b.apply(w); err != nil {
			b.fail(err)
			return err
		}
		return nil
	}
	b.inflight.Add(1)
	select {
	case b.work <- w:
		return nil
	case <-b.failed:
		b.inflight.Add(-1)
		return b.err
	}
}

// stop waits for the batches handed over to be applied (a partial batch is
// dropped: the next read starts after the applied sequence) and returns the
// first apply error.
func (b *batcher) stop() error {
	if !b.stopped {
		b.stopped = true
		close(b.work)
	}
	<-b.done
	return b.err
}

func (b *batcher) applier() {
	defer close(b.done)
	for w := range b.work {
		err := b.apply(w)
		b.inflight.Add(-1)
		if err != nil {
			b.fail(err)
			for range b.work { // let the reader's sends complete; it sees failed next
			}
			return
		}
	}
}

// fail records the first apply error and ends the read, which may be
// waiting for a message that never comes.
func (b *batcher) fail(err error) {
	b.failOnce.Do(func() {
		b.err = err
		close(b.failed)
		b.abort()
	})
}

func (b *batcher) apply(w work) error {
	res, err := b.p.store.Apply(w.msgs)
	if err != nil {
		return fmt.Errorf("projector: %w", err)
	}
	if res.Skipped > 0 {
		b.p.cfg.Logger.Error("projector: skipped messages that are not permledger batches", "count", res.Skipped, "applied", res.Applied)
	}
	if b.p.cfg.Observe != nil {
		b.p.cfg.Observe(res, w.pending)
	}
	return nil
}
