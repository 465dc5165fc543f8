package readmodel

import (
	"github.com/cockroachdb/pebble/v2"
)

// Snapshot is a View that holds no lock: a Pebble snapshot plus the caches as
// they were at the same sequence. Commands decide on one, so that slow work
// in a decision (a bcrypt comparison) never blocks the projector. Close it.
type Snapshot struct {
	View
	snap *pebble.Snapshot
	ref  *dbRef
}

// Snapshot captures the current state.
func (s *Store) Snapshot() *Snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	frozen := &Store{roles: s.roles, catalog: s.catalog, settings: s.settings}
	frozen.applied.Store(s.Applied())
	snap := s.db.NewSnapshot()
	s.ref.users.Add(1)
	return &Snapshot{View: View{s: frozen, r: snap}, snap: snap, ref: s.ref}
}

// Close releases the snapshot.
func (s *Snapshot) Close() error {
	err := s.snap.Close()
	s.ref.users.Done()
	return err
}
