package readmodel

import (
	"encoding/binary"
	"encoding/json"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
)

// PastView reads the state as it was at a past sequence, from the history
// keys (uh/, rh/, hc/): a point-in-time check costs a few seeks, not a replay.
type PastView struct {
	r     reader
	seq   uint64
	cat   *catalog.Catalog
	roles map[string]*policy.Role // resolved roles, nil entries for absent ones
	err   error
}

// At runs fn with a view as of seq (clamped to the applied sequence).
func (s *Store) At(seq uint64, fn func(*PastView) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seq = min(seq, s.Applied())
	p := &PastView{r: s.db, seq: seq, roles: map[string]*policy.Role{}}
	b, found, err := latestAt(s.db, pCatHist, "", seq)
	if err != nil {
		return err
	}
	if found {
		if p.cat, err = pastCatalogs.parse(b); err != nil {
			return err
		}
	}
	return fn(p)
}

// Seq is the sequence of this view.
func (p *PastView) Seq() uint64 { return p.seq }

// Catalog is the catalog in force at this view's sequence (nil before the first).
func (p *PastView) Catalog() *catalog.Catalog { return p.cat }

// User returns the user's document as of the view's sequence, or nil.
func (p *PastView) User(name string) (*User, error) {
	b, found, err := latestAt(p.r, pUserHist, name, p.seq)
	if err != nil || !found || len(b) == 0 {
		return nil, err
	}
	var u User
	if err := decodeUser(b, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Role resolves a role as of the view's sequence (policy.Roles).
func (p *PastView) Role(name string) (*policy.Role, bool) {
	if r, ok := p.roles[name]; ok {
		return r, r != nil
	}
	b, found, err := latestAt(p.r, pRoleHist, name, p.seq)
	var r *Role
	if err == nil && found && len(b) > 0 {
		r = &Role{}
		if err = json.Unmarshal(b, r); err != nil {
			r = nil
		}
	}
	if err != nil && p.err == nil {
		p.err = err
	}
	if r == nil {
		p.roles[name] = nil
		return nil, false
	}
	p.roles[name] = &r.Role
	return &r.Role, true
}

// Err is the first read error Role met (policy.Roles cannot return one).
func (p *PastView) Err() error { return p.err }

// Check evaluates a check as of the view's sequence.
func (p *PastView) Check(user, perm string, contexts []catalog.Context) (policy.Decision, error) {
	u, err := p.User(user)
	if err != nil {
		return policy.Decision{}, err
	}
	d := policy.Check(p.cat, u.Subject(), p, perm, contexts)
	return d, p.err
}

// SeqAt returns the last sequence whose message time is at or before t
// (0 if none).
func (s *Store) SeqAt(t time.Time) (uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: pTime, UpperBound: prefixEnd(pTime)})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	k := binary.BigEndian.AppendUint64(append([]byte{}, pTime...), uint64(t.UnixNano())+1)
	if !it.SeekLT(k) {
		return 0, it.Error()
	}
	kk := it.Key()
	return binary.BigEndian.Uint64(kk[len(kk)-8:]), nil
}
