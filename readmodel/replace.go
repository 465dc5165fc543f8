package readmodel

import (
	"errors"
	"fmt"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// ErrBehind is returned by ReplaceWith when the replacement has applied less
// of the log than the store it would replace: catch it up and try again.
var ErrBehind = errors.New("readmodel: the replacement is behind the live read model")

// dbRef counts the snapshots still reading a database, so that a replaced
// database is closed only after its last reader is done.
type dbRef struct {
	db    *pebble.DB
	dir   string
	users sync.WaitGroup
}

// ReplaceWith swaps other's database and caches into s without stopping
// queries: readers that started before see the old state, readers after
// see the new one. other must have applied at least what s has. other must
// not be used afterwards. The old database is closed once its last snapshot
// is closed; retire (may be nil) is called with its directory then.
func (s *Store) ReplaceWith(other *Store, retire func(dir string)) error {
	s.mu.Lock()
	if other.Applied() < s.Applied() {
		s.mu.Unlock()
		return fmt.Errorf("%w: %d < %d", ErrBehind, other.Applied(), s.Applied())
	}
	old, oldDocs := s.ref, s.docs
	s.ref, s.db, s.docs = other.ref, other.db, other.docs
	s.roles, s.catalog, s.settings = other.roles, other.catalog, other.settings
	s.applied.Store(other.Applied())
	s.tokens.forget(nil, true)
	s.mu.Unlock()
	if oldDocs != nil {
		oldDocs.release() // views read it under the read lock: none is left
	}
	s.notify()
	go func() {
		old.users.Wait()
		_ = old.db.Close()
		if retire != nil {
			retire(old.dir)
		}
	}()
	return nil
}

// Dir is the directory of the database the store reads now.
func (s *Store) Dir() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ref.dir
}
