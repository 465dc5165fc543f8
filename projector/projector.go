package projector

import (
	"context"
	"errors"
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
	// BatchBytes is the most message bytes applied in one Pebble batch
	// (default 8 MiB): bulk-import messages of hundreds of KiB would
	// otherwise make batches of hundreds of MiB.
	BatchBytes int
	Logger     *slog.Logger
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
	if cfg.BatchBytes <= 0 {
		cfg.BatchBytes = 8 << 20
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
		rctx, cancel := context.WithCancel(ctx)
		b := p.batcher(cancel)
		err := p.src.Read(rctx, p.store.Applied()+1, b.add)
		if aerr := b.stop(); aerr != nil {
			err = aerr
		}
		cancel()
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
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b := p.batcher(cancel)
	err := p.src.ReadUntil(rctx, p.store.Applied()+1, toSeq, b.add)
	if err == nil {
		err = b.flush(0)
	}
	if aerr := b.stop(); aerr != nil {
		err = aerr
	}
	return err
}
