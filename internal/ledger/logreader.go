package ledger

import (
	"context"
	"time"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/queries"
)

// logEntryReader reads one log message by sequence, for queries.History.
type logEntryReader struct{ log *natslog.Log }

func (r logEntryReader) Entry(ctx context.Context, seq uint64) (time.Time, []byte, error) {
	m, err := r.log.Get(ctx, seq)
	return m.Time, m.Data, err
}

// LogReader is the log as queries.History reads it.
func (l *Ledger) LogReader() queries.LogReader { return logEntryReader{l.Log} }
