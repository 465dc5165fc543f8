package queries

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/permledger/permledger/events"
)

// LogReader reads one message of the log by sequence.
type LogReader interface {
	Entry(ctx context.Context, seq uint64) (time.Time, []byte, error)
}

// HistoryEntry is one event that changed a user's holdings, overrides,
// tokens or flags. Via names the role when the change came through an edit
// of a role the user held (R8).
type HistoryEntry struct {
	Seq       uint64          `json:"seq"`
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor,omitempty"`
	CommandID string          `json:"command_id,omitempty"`
	RunID     string          `json:"run_id,omitempty"`
	Type      string          `json:"type"`
	Via       string          `json:"via,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// History lists a user's history between two sequences (0: unbounded).
func (s *Service) History(ctx context.Context, log LogReader, user string, from, to uint64) ([]HistoryEntry, error) {
	if err := s.waitFor(ctx, 0); err != nil {
		return nil, err
	}
	if to == 0 {
		to = s.store.Applied()
	}
	seqs, err := s.store.Touches(user, from, to)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	var out []HistoryEntry
	for _, seq := range seqs {
		_, data, err := log.Entry(ctx, seq)
		if err != nil {
			return nil, fmt.Errorf("%w: reading sequence %d: %v", ErrUnavailable, seq, err)
		}
		batch, err := events.DecodeBatch(data)
		if err != nil {
			continue // not a permledger batch: the projector skipped it too
		}
		for _, env := range batch.Events {
			if e, ok := s.historyEntry(user, seq, env); ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// historyEntry keeps an event if it concerns the user, and redacts secrets.
func (s *Service) historyEntry(user string, seq uint64, env events.Envelope) (HistoryEntry, bool) {
	p, err := events.Decode(env)
	if err != nil {
		return HistoryEntry{}, false
	}
	via, ok := s.concerns(user, seq, p)
	if !ok {
		return HistoryEntry{}, false
	}
	data, _ := json.Marshal(redact(p))
	return HistoryEntry{Seq: seq, Time: env.Time, Actor: env.Actor, CommandID: env.CommandID, RunID: env.RunID,
		Type: env.Type, Via: via, Data: data}, true
}

func (s *Service) concerns(user string, seq uint64, p events.Payload) (string, bool) {
	if u := events.UserOf(p); u != "" {
		return "", u == user
	}
	if _, ok := p.(events.TokensRevokedAll); ok {
		return "", true
	}
	if role := roleOf(p); role != "" {
		held, err := s.store.HeldAt(user, role, seq)
		return role, err == nil && held
	}
	return "", false
}

// roleOf names the role a role edit changes (those that change holdings).
func roleOf(p events.Payload) string {
	switch e := p.(type) {
	case events.RolePermissionsAdded:
		return e.Role
	case events.RolePermissionsRemoved:
		return e.Role
	case events.RoleCreated:
		return e.Role
	case events.RoleRemoved:
		return e.Role
	}
	return ""
}

// redact keeps password hashes out of history output; token hashes are
// shortened to an identifying prefix.
func redact(p events.Payload) events.Payload {
	switch e := p.(type) {
	case events.UserCreated:
		if e.PasswordHash != "" {
			e.PasswordHash = "(redacted)"
		}
		return e
	case events.TokenIssued:
		e.TokenHash = e.TokenHash[:min(12, len(e.TokenHash))] + "…"
		return e
	}
	return p
}
