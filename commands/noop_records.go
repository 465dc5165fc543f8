package commands

import (
	"context"
	"fmt"
	"sync"
)

// NoopRecord remembers a client-chosen command id whose command succeeded
// without appending (a no-op), so that resubmitting the id answers that
// first outcome again instead of running the command on a newer state
// (SEMANTICS section 3, Idempotency). Commands that appended are remembered
// by the read model's own records (c/<id>), which replay from the log; a
// no-op is not in the log, so its record lives beside it.
type NoopRecord struct {
	CommandID   string `json:"command_id"`
	Command     string `json:"command"`
	Fingerprint string `json:"fingerprint"`
	Seq         uint64 `json:"seq"` // the log's sequence the no-op was decided on
	// Final is false while the attempt that wrote the record has not yet
	// confirmed that Seq was the log's last sequence; nobody answers from
	// a record that is not final.
	Final bool `json:"final"`
	// At is when the record was written (Unix nanoseconds): a record left
	// pending longer than pendingLimit belongs to an attempt that died.
	At int64 `json:"at"`
}

// NoopRecords stores no-op records. The ledger keeps them in a JetStream
// key-value bucket shared by every instance (internal/noopkv); a Handler
// built without one keeps them in memory, which is exact for one process
// but forgets them on restart.
//
// The handler's protocol (noop_answer.go), which makes an id's outcome
// single across instances (the argument is in docs/reliability.md):
//   - a no-op is recorded pending, then the log's last sequence is checked
//     again: if it moved the record is withdrawn (Forget) and the command
//     decided again, else the record is made final and the no-op answered;
//   - a command with a client-chosen id that is about to append first asks
//     the shared store (Fetch), after taking the state it decided on, and
//     waits out a pending record of the id.
type NoopRecords interface {
	// Lookup returns the record of id if this process knows it: cheap, and
	// possibly behind the shared store.
	Lookup(id string) (NoopRecord, bool)
	// Fetch returns the record of id from the shared store itself.
	Fetch(ctx context.Context, id string) (NoopRecord, bool, error)
	// Record stores r unless id already has a record, and returns the
	// record in force (r, or the earlier one).
	Record(ctx context.Context, r NoopRecord) (NoopRecord, error)
	// Finalize replaces r, a pending record this process wrote, with its
	// final form.
	Finalize(ctx context.Context, r NoopRecord) error
	// Forget withdraws r if it is still the record of its id.
	Forget(ctx context.Context, r NoopRecord) error
}

// memoryNoops is the in-process NoopRecords.
type memoryNoops struct {
	mu   sync.RWMutex
	recs map[string]NoopRecord
}

func newMemoryNoops() *memoryNoops { return &memoryNoops{recs: map[string]NoopRecord{}} }

func (m *memoryNoops) Lookup(id string) (NoopRecord, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.recs[id]
	return r, ok
}

func (m *memoryNoops) Fetch(_ context.Context, id string) (NoopRecord, bool, error) {
	r, ok := m.Lookup(id)
	return r, ok, nil
}

func (m *memoryNoops) Finalize(_ context.Context, r NoopRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs[r.CommandID] != r {
		return fmt.Errorf("no-op record of %q changed", r.CommandID)
	}
	r.Final = true
	m.recs[r.CommandID] = r
	return nil
}

func (m *memoryNoops) Forget(_ context.Context, r NoopRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs[r.CommandID] == r {
		delete(m.recs, r.CommandID)
	}
	return nil
}

func (m *memoryNoops) Record(_ context.Context, r NoopRecord) (NoopRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.recs[r.CommandID]; ok {
		return old, nil
	}
	m.recs[r.CommandID] = r
	return r, nil
}
