package readmodel

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// Msg is one message of the log as the projector hands it over.
type Msg struct {
	Seq  uint64
	Time time.Time
	Data []byte
	// Decoded, if set, is Decode(Data): the projector decodes the next
	// messages while Apply writes the previous ones.
	Decoded *Decoded
}

// Decoded is a message's batch with its events' payloads, or the error
// decoding it gave (events.ErrMalformed: Apply skips the message;
// ErrUnknownEvent: Apply stops).
type Decoded struct {
	batch    events.Batch
	payloads []events.Payload
	err      error
}

// Decode decodes a message for Apply. It reads nothing from the store and
// may run on any goroutine. The envelopes' Data are slices of data, which
// the caller does not modify afterwards.
func Decode(data []byte) *Decoded {
	batch, payloads, err := events.DecodeBatchShared(data)
	if err != nil {
		if errors.Is(err, events.ErrUnknownType) || errors.Is(err, events.ErrUnknownVersion) {
			err = fmt.Errorf("%w: %v", ErrUnknownEvent, err)
		}
		return &Decoded{err: err}
	}
	for i, env := range batch.Events {
		if payloads[i] != nil {
			continue // decoded with the batch
		}
		if payloads[i], err = events.Decode(env); err != nil {
			return &Decoded{err: fmt.Errorf("%w: %v", ErrUnknownEvent, err)}
		}
	}
	return &Decoded{batch: batch, payloads: payloads}
}

// Err is the error decoding gave (Apply skips a malformed message and
// stops at an unknown event), or nil.
func (d *Decoded) Err() error { return d.err }

// ApplyResult says what one Apply did.
type ApplyResult struct {
	Applied  uint64 // last applied sequence after the call
	Messages int    // messages applied
	Skipped  int    // messages that were not a permledger batch (malformed), skipped
	Events   int    // events applied
}

// ErrUnknownEvent is returned when the log holds an event this build cannot
// read (a newer type or version): the projector must stop, not skip it.
var ErrUnknownEvent = errors.New("readmodel: log holds an event this build cannot read")

// Apply applies messages in one Pebble batch, with the last applied sequence
// in the same batch. Messages at or below the applied sequence are ignored,
// so a re-delivery applies nothing twice.
func (s *Store) Apply(msgs []Msg) (ApplyResult, error) {
	s.mu.RLock()
	applied := s.Applied()
	s.mu.RUnlock()
	// Decode first: whether the batch must be indexed depends on the events.
	indexed := false
	for i := range msgs {
		if msgs[i].Seq > applied && msgs[i].Decoded == nil {
			msgs[i].Decoded = Decode(msgs[i].Data)
		}
		indexed = indexed || msgs[i].Seq > applied && msgs[i].Decoded.readsBatch()
	}
	s.mu.RLock()
	t := newTx(s, indexed)
	s.mu.RUnlock()
	defer t.b.Close()
	var res ApplyResult
	for _, m := range msgs {
		if m.Seq <= t.applied {
			continue
		}
		n, err := t.message(m)
		if errors.Is(err, events.ErrMalformed) {
			res.Skipped++
		} else if err != nil {
			return res, fmt.Errorf("message %d: %w", m.Seq, err)
		}
		res.Events += n
		res.Messages++
		t.applied = m.Seq
	}
	if res.Messages == 0 {
		res.Applied = t.applied
		return res, nil
	}
	return res, s.commit(t, &res)
}

func (s *Store) commit(t *tx, res *ApplyResult) error {
	if err := t.b.Set(keyApplied, u64bytes(t.applied), nil); err != nil {
		return err
	}
	wo := pebble.NoSync
	if s.sync {
		wo = pebble.Sync
	}
	s.mu.Lock()
	err := t.b.Commit(wo)
	if err == nil {
		s.roles, s.settings, s.catalog = t.roles, t.settings, t.catalog
		s.applied.Store(t.applied)
		s.tokens.forget(t.changedTokens, t.allTokensChanged)
		if s.docs != nil && s.docs == t.docs {
			for name, doc := range t.written {
				if doc == nil {
					s.docs.remove(name)
				} else {
					s.docs.put(name, doc)
				}
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("readmodel: commit: %w", err)
	}
	res.Applied = t.applied
	s.notify()
	return nil
}

// tx is one Apply in progress.
type tx struct {
	s        *Store
	b        *pebble.Batch
	r        reader // the batch if indexed, else the database (see user)
	applied  uint64
	roles    map[string]*Role // copy-on-write of the store's roles
	ownRoles map[string]bool  // roles already copied in this tx
	settings Settings
	catalog  *catalog.Catalog
	docs     *userCache        // the store's cache when the tx began
	written  map[string][]byte // user documents written (nil: deleted), for the cache
	kbuf     []byte            // scratch for keys (see key)
	// tokens written or deleted, for the token cache (tokencache.go)
	changedTokens    []string
	allTokensChanged bool

	// per message
	seq        uint64
	prov       policy.Provenance
	users      map[string]*User // dirty users of this message (nil value: deleted)
	dirtyRoles map[string]bool
}

// newTx starts a tx. An indexed batch (reads see the batch's own writes)
// costs a skip-list insertion per write: it is used only when an event
// reads keys other than user documents (token scans, registration tokens).
// Otherwise reads go to the database, and the user documents this tx wrote
// are read from t.written.
func newTx(s *Store, indexed bool) *tx {
	t := &tx{s: s, applied: s.Applied(), roles: s.roles,
		settings: s.settings, catalog: s.catalog, docs: s.docs, written: map[string][]byte{}}
	if indexed {
		t.b = s.db.NewIndexedBatch()
		t.r = t.b
	} else {
		t.b = s.db.NewBatch()
		t.r = s.db
	}
	return t
}

// readsBatch reports whether applying d reads keys of the batch other than
// user documents.
func (d *Decoded) readsBatch() bool {
	for _, p := range d.payloads {
		switch p.(type) {
		case events.TokensRevoked, events.UserDeleted, events.RegistrationTokenSpent:
			return true
		}
	}
	return false
}

// message applies one batch; a malformed one returns events.ErrMalformed.
func (t *tx) message(m Msg) (int, error) {
	d := m.Decoded
	if d == nil {
		d = Decode(m.Data)
	}
	if d.err != nil {
		return 0, d.err
	}
	batch := d.batch
	t.seq = m.Seq
	if t.users == nil {
		t.users, t.dirtyRoles = map[string]*User{}, map[string]bool{}
	}
	clear(t.users) // the maps keep their room from one message to the next
	clear(t.dirtyRoles)
	for i, env := range batch.Events {
		p := d.payloads[i]
		t.prov = policy.Provenance{Seq: m.Seq, Time: env.Time, Actor: env.Actor, CommandID: env.CommandID, RunID: env.RunID}
		if err := t.event(p); err != nil {
			return 0, err
		}
	}
	if err := t.flush(m, batch); err != nil {
		return 0, err
	}
	return len(batch.Events), nil
}

// flush writes the message's dirty documents, their history, the command
// record and the time index.
func (t *tx) flush(m Msg, batch events.Batch) error {
	for name, u := range t.users {
		if err := t.writeUser(name, u); err != nil {
			return err
		}
	}
	for name := range t.dirtyRoles {
		if err := t.writeRole(name, t.roles[name]); err != nil {
			return err
		}
	}
	if batch.CommandID != "" {
		rec := Command{Seq: m.Seq, Events: len(batch.Events), Command: batch.Command, Fingerprint: batch.Fingerprint}
		if err := t.setJSON(key(pCommand, batch.CommandID), rec); err != nil {
			return err
		}
	}
	tk := binary.BigEndian.AppendUint64(append([]byte{}, pTime...), uint64(m.Time.UnixNano()))
	return t.b.Set(binary.BigEndian.AppendUint64(tk, m.Seq), nil, nil)
}

func (t *tx) writeUser(name string, u *User) error {
	if err := t.b.Set(t.seqKey(pUserEvents, name), nil, nil); err != nil {
		return err
	}
	if u == nil {
		t.written[name] = nil
		if err := t.b.Delete(t.key(pUser, name), nil); err != nil {
			return err
		}
		return t.b.Set(t.seqKey(pUserHist, name), nil, nil)
	}
	b := encodeUser(nil, u)
	t.written[name] = b
	if err := t.b.Set(t.key(pUser, name), b, nil); err != nil {
		return err
	}
	return t.b.Set(t.seqKey(pUserHist, name), b, nil)
}

// key is key(prefix, parts...) in the tx's scratch buffer, for a key the
// batch copies at once (Set, Delete): a bulk load writes ten a user.
func (t *tx) key(prefix []byte, parts ...string) []byte {
	t.kbuf = appendKey(t.kbuf[:0], prefix, parts...)
	return t.kbuf
}

// seqKey is seqKey(prefix, name, t.seq) in the tx's scratch buffer.
func (t *tx) seqKey(prefix []byte, name string) []byte {
	t.kbuf = appendSeqKey(t.kbuf[:0], prefix, name, t.seq)
	return t.kbuf
}

func (t *tx) writeRole(name string, r *Role) error {
	if r == nil {
		if err := t.b.Delete(key(pRole, name), nil); err != nil {
			return err
		}
		return t.b.Set(seqKey(pRoleHist, name, t.seq), nil, nil)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := t.b.Set(key(pRole, name), b, nil); err != nil {
		return err
	}
	return t.b.Set(seqKey(pRoleHist, name, t.seq), b, nil)
}

func (t *tx) setJSON(k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.b.Set(k, b, nil)
}

// user returns the user's document as of this point of the batch (nil if
// absent); a caller that changes it calls t.touch.
func (t *tx) user(name string) (*User, error) {
	if u, ok := t.users[name]; ok {
		return u, nil
	}
	if doc, ok := t.written[name]; ok { // written by an earlier message of this tx
		if doc == nil {
			return nil, nil
		}
		var u User
		if err := decodeUser(doc, &u); err != nil {
			return nil, fmt.Errorf("readmodel: user %q written in this batch: %w", name, err)
		}
		return &u, nil
	}
	if u, known, err := t.cachedUser(name); known || err != nil {
		return u, err
	}
	return getUser(t.r, key(pUser, name))
}

// cachedUser reads the user's committed document from the user cache;
// known is false when the cache cannot tell (it is not complete, or it was
// replaced since the tx began).
func (t *tx) cachedUser(name string) (u *User, known bool, err error) {
	if t.docs == nil {
		return nil, false, nil
	}
	t.s.mu.RLock()
	defer t.s.mu.RUnlock()
	if t.s.docs != t.docs {
		return nil, false, nil
	}
	doc, found, known := t.docs.get(name)
	if !found {
		return nil, known, nil
	}
	u = &User{}
	if err := decodeUser(doc, u); err != nil { // copies what it keeps
		return nil, true, fmt.Errorf("readmodel: cached user %q: %w", name, err)
	}
	return u, true, nil
}

func (t *tx) touch(name string, u *User) { t.users[name] = u }

// role returns a copy of the role that this tx may change, or nil.
func (t *tx) role(name string) *Role {
	r, ok := t.roles[name]
	if !ok {
		return nil
	}
	if t.ownRoles[name] {
		t.dirtyRoles[name] = true
		return r
	}
	c := *r
	c.Permissions = append([]policy.RolePermission(nil), r.Permissions...)
	c.Events = append([]string(nil), r.Events...)
	t.setRole(name, &c)
	return &c
}

// setRole puts (or, with nil, removes) a role in this tx's copy of the map.
func (t *tx) setRole(name string, r *Role) {
	if t.ownRoles == nil {
		m := make(map[string]*Role, len(t.roles)+1)
		for k, v := range t.roles {
			m[k] = v
		}
		t.roles, t.ownRoles = m, map[string]bool{}
	}
	if r == nil {
		delete(t.roles, name)
	} else {
		t.roles[name] = r
	}
	t.ownRoles[name] = true
	t.dirtyRoles[name] = true
}
