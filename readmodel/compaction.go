package readmodel

import (
	"context"
	"fmt"
)

// Compactions reports Pebble's background work on the database the store
// reads now: compactions running, and the bytes Pebble estimates it must
// still compact to reach a stable shape (about 600 MiB after a bulk load of
// 10^6 users); zeros once the store is closed.
func (s *Store) Compactions() (running int64, debtBytes uint64) {
	m := s.pebbleMetrics()
	if m == nil {
		return 0, 0
	}
	return m.Compact.NumInProgress, m.Compact.EstimatedDebt
}

// CompactAll compacts the whole read model now. After a bulk load Pebble
// leaves a compaction debt, which it pays in the background as later writes
// set compactions off, on the cores that answer checks; an operator (or the
// benchmark, before it times checks) that wants the steady state pays it
// at once (10^6 users: ~600 MiB, 7 s of one core here). Queries and
// the projector go on meanwhile. A replaced database is closed only after
// the compaction ends, and Close waits for it: cancel ctx to end it sooner.
func (s *Store) CompactAll(ctx context.Context) error {
	s.mu.RLock()
	if s.isClosed() {
		s.mu.RUnlock()
		return ErrClosed
	}
	ref := s.ref
	ref.users.Add(1)
	s.mu.RUnlock()
	defer ref.users.Done()
	// Every key starts with a printable prefix (keys.go).
	if err := ref.db.Compact(ctx, []byte{0}, []byte{0xff}, true); err != nil {
		return fmt.Errorf("readmodel: compact: %w", err)
	}
	return nil
}
