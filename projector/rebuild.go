package projector

import (
	"context"
	"fmt"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// Progress reports a rebuild: applied of total messages.
type Progress func(applied, total uint64)

// Rebuild builds a fresh read model in dir from the log, up to toSeq. The
// caller owns (and closes) the returned store.
func Rebuild(ctx context.Context, src Source, dir string, opts readmodel.Options, toSeq uint64, progress Progress) (*readmodel.Store, error) {
	st, err := readmodel.Open(dir, opts)
	if err != nil {
		return nil, err
	}
	if st.Applied() != 0 {
		st.Close()
		return nil, fmt.Errorf("projector: rebuild into %s: the folder already holds a read model", dir)
	}
	p := New(src, st, Config{BatchSize: 4096, Observe: func(res readmodel.ApplyResult, _ uint64) {
		if progress != nil {
			progress(res.Applied, toSeq)
		}
	}})
	if err := p.CatchUp(ctx, toSeq); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// CatchUpStore applies the log to st up to toSeq.
func CatchUpStore(ctx context.Context, src Source, st *readmodel.Store, toSeq uint64) error {
	return New(src, st, Config{}).CatchUp(ctx, toSeq)
}

var _ Source = (*natslog.Log)(nil)
