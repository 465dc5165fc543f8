package projector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// Source is the log as the projector reads it.
type Source interface {
	Read(ctx context.Context, fromSeq uint64, fn func(natslog.Msg) error) error
	ReadUntil(ctx context.Context, fromSeq, toSeq uint64, fn func(natslog.Msg) error) error
}

// Config tunes a Projector.
type Config struct {
	// BatchSize is the most messages applied in one Pebble batch (default 1024).
	BatchSize int
	Logger    *slog.Logger
	// Observe, if set, is called after every applied batch.
	Observe func(res readmodel.ApplyResult, pending uint64)
}

// Projector applies the log to the read model.
type Projector struct {
	src   Source
	store *readmodel.Store
	cfg   Config
}

// New builds a Projector.
func New(src Source, store *readmodel.Store, cfg Config) *Projector {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1024
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Projector{src: src, store: store, cfg: cfg}
}

// Run applies the log until ctx is done. A read error is retried with a
// backoff; an event this build cannot read stops it with an error.
func (p *Projector) Run(ctx context.Context) error {
	backoff := 50 * time.Millisecond
	for {
		err := p.src.Read(ctx, p.store.Applied()+1, p.batcher().add)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, readmodel.ErrUnknownEvent) {
			return err
		}
		p.cfg.Logger.Warn("projector: reading the log failed; retrying", "error", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}

// CatchUp applies the log up to toSeq (0: the log's last sequence now) and
// returns.
func (p *Projector) CatchUp(ctx context.Context, toSeq uint64) error {
	b := p.batcher()
	err := p.src.ReadUntil(ctx, p.store.Applied()+1, toSeq, b.add)
	if err != nil {
		return err
	}
	return b.flush(0)
}

// batcher accumulates messages and applies them when the consumer has no
// more pending or the batch is full.
type batcher struct {
	p    *Projector
	msgs []readmodel.Msg
}

func (p *Projector) batcher() *batcher { return &batcher{p: p} }

func (b *batcher) add(m natslog.Msg) error {
	b.msgs = append(b.msgs, readmodel.Msg{Seq: m.Seq, Time: m.Time, Data: m.Data})
	if m.Pending == 0 || len(b.msgs) >= b.p.cfg.BatchSize {
		return b.flush(m.Pending)
	}
	return nil
}

func (b *batcher) flush(pending uint64) error {
	if len(b.msgs) == 0 {
		return nil
	}
	res, err := b.p.store.Apply(b.msgs)
	b.msgs = b.msgs[:0]
	if err != nil {
		return fmt.Errorf("projector: %w", err)
	}
	if res.Skipped > 0 {
		b.p.cfg.Logger.Error("projector: skipped messages that are not permledger batches", "count", res.Skipped, "applied", res.Applied)
	}
	if b.p.cfg.Observe != nil {
		b.p.cfg.Observe(res, pending)
	}
	return nil
}
