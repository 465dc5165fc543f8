package readmodel

import "github.com/cockroachdb/pebble/v2"

// CacheHitRate reports the block cache's hits and misses of the database
// the store reads now (a replay starts a new database, and new counts);
// zeros once the store is closed.
func (s *Store) CacheHitRate() (hits, misses int64) {
	m := s.pebbleMetrics()
	if m == nil {
		return 0, 0
	}
	return m.BlockCache.Hits, m.BlockCache.Misses
}

// pebbleMetrics are Pebble's metrics of the database the store reads now,
// or nil once the store is closed.
func (s *Store) pebbleMetrics() *pebble.Metrics {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.isClosed() {
		return nil
	}
	return s.db.Metrics()
}

func (s *Store) isClosed() bool {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	return s.closed
}
