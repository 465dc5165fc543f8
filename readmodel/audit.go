package readmodel

import (
	"encoding/binary"
	"sort"
)

// Touches lists, in order, the sequences in [from, to] of messages that
// changed a user's holdings, overrides, tokens or flags: the user's own
// events, edits of roles while the user held them (R8), edits of the default
// role while the user existed, and revocations of every token.
func (s *Store) Touches(user string, from, to uint64) ([]uint64, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	own, err := seqsOf(s.db, pUserEvents, user, from, to)
	if err != nil {
		return nil, err
	}
	set := map[uint64]bool{}
	for _, q := range own {
		set[q] = true
	}
	if err := s.roleTouches(user, from, to, set); err != nil {
		return nil, err
	}
	if err := s.globalTouches(own, from, to, set, user); err != nil {
		return nil, err
	}
	out := make([]uint64, 0, len(set))
	for q := range set {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// roleTouches adds the edits of every role the user held at the edit's time.
func (s *Store) roleTouches(user string, from, to uint64, set map[uint64]bool) error {
	roles, err := rolesEverHeld(s.db, user)
	if err != nil {
		return err
	}
	roles["default"] = true
	for role := range roles {
		seqs, err := seqsOf(s.db, pRoleHist, role, from, to)
		if err != nil {
			return err
		}
		for _, q := range seqs {
			held, err := heldAt(s.db, user, role, q)
			if err != nil {
				return err
			}
			if held {
				set[q] = true
			}
		}
	}
	return nil
}

// globalTouches adds revocations of every token made while the user existed.
func (s *Store) globalTouches(own []uint64, from, to uint64, set map[uint64]bool, user string) error {
	if len(own) == 0 {
		return nil
	}
	lower := binary.BigEndian.AppendUint64(append([]byte{}, pGlobal...), max(from, own[0]))
	upper := append(binary.BigEndian.AppendUint64(append([]byte{}, pGlobal...), to), 0)
	return scanRange(s.db, lower, upper, func(k, _ []byte) error {
		q := binary.BigEndian.Uint64(k[len(pGlobal):])
		b, found, err := latestAt(s.db, pUserHist, user, q)
		if err != nil {
			return err
		}
		if found && len(b) > 0 {
			set[q] = true
		}
		return nil
	})
}

// seqsOf lists the sequences of prefix+name history keys within [from, to].
func seqsOf(r reader, prefix []byte, name string, from, to uint64) ([]uint64, error) {
	var out []uint64
	lower, upper := seqKey(prefix, name, from), seqKey(prefix, name, to)
	upper = append(upper, 0)
	err := scanRange(r, lower, upper, func(k, _ []byte) error {
		out = append(out, binary.BigEndian.Uint64(k[len(k)-8:]))
		return nil
	})
	return out, err
}

// rolesEverHeld scans the user's history documents for role names.
func rolesEverHeld(r reader, user string) (map[string]bool, error) {
	roles := map[string]bool{}
	lower, upper := nameScope(pUserHist, user)
	err := scanRange(r, lower, upper, func(_, v []byte) error {
		if len(v) == 0 {
			return nil
		}
		var u User
		if err := decodeUser(v, &u); err != nil {
			return err
		}
		for _, a := range u.Assignments {
			roles[a.Role] = true
		}
		return nil
	})
	return roles, err
}

// heldAt reports whether the user held any assignment of role just before
// seq (the edit at seq changed what that assignment gives), or, for the
// default role, existed.
func heldAt(r reader, user, role string, seq uint64) (bool, error) {
	if seq == 0 {
		return false, nil
	}
	b, found, err := latestAt(r, pUserHist, user, seq-1)
	if err != nil || !found || len(b) == 0 {
		return false, err
	}
	if role == "default" {
		return true, nil
	}
	var u User
	if err := decodeUser(b, &u); err != nil {
		return false, err
	}
	for _, a := range u.Assignments {
		if a.Role == role {
			return true, nil
		}
	}
	return false, nil
}

// HeldAt reports whether user held role (any value) just before seq; for
// the default role, whether the user existed.
func (s *Store) HeldAt(user, role string, seq uint64) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return heldAt(s.db, user, role, seq)
}
