package readmodel

// CacheHitRate reports the block cache's hits and misses of the database
// the store reads now (a replay starts a new database, and new counts);
// zeros once the store is closed.
func (s *Store) CacheHitRate() (hits, misses int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	s.waitMu.Lock()
	closed := s.closed
	s.waitMu.Unlock()
	if closed {
		return 0, 0
	}
	m := s.db.Metrics().BlockCache
	return m.Hits, m.Misses
}
