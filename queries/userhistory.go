package queries

import (
	"context"
	"fmt"
	"time"

	"github.com/permledger/permledger/readmodel"
)

// HistoryQuery asks a user's history on an actor's behalf, between two
// points, both inclusive: a sequence or a time for each end (not both),
// none meaning from the first event or to the last applied one.
type HistoryQuery struct {
	Token            string
	User             string
	FromSeq, ToSeq   uint64
	FromTime, ToTime time.Time
	MinSeq           uint64
}

// UserHistory is History for an actor that passes check user.read.events
// in user:USER (the user itself, an admin, or a holder of that permission).
// A user that no longer exists keeps its history. It also returns the
// sequence the read model had applied.
func (s *Service) UserHistory(ctx context.Context, log LogReader, q HistoryQuery) ([]HistoryEntry, uint64, error) {
	var from, to, seq uint64
	err := s.read(ctx, q.MinSeq, func(v *readmodel.View) error {
		actor, err := actorIn(v, q.Token)
		if err != nil {
			return err
		}
		if err := validUser(q.User); err != nil {
			return err
		}
		if err := mayReadUser(v, actor, "user.read.events", q.User); err != nil {
			return err
		}
		seq = v.Seq()
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if from, to, err = s.bounds(q, seq); err != nil || from > to {
		return nil, seq, err
	}
	out, err := s.History(ctx, log, q.User, from, to)
	return out, seq, err
}

// bounds resolves the query's ends to sequences in [1, applied]; from > to
// means an empty range.
func (s *Service) bounds(q HistoryQuery, applied uint64) (from, to uint64, err error) {
	if q.FromSeq != 0 && !q.FromTime.IsZero() || q.ToSeq != 0 && !q.ToTime.IsZero() {
		return 0, 0, invalid("give a sequence or a time for each end of the range, not both")
	}
	from, to = max(q.FromSeq, 1), applied
	if q.ToSeq != 0 {
		to = min(q.ToSeq, applied)
	}
	if !q.FromTime.IsZero() {
		last, err := s.store.SeqAt(q.FromTime.Add(-time.Nanosecond))
		if err != nil {
			return 0, 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		from = last + 1
	}
	if !q.ToTime.IsZero() {
		if to, err = s.store.SeqAt(q.ToTime); err != nil {
			return 0, 0, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		to = min(to, applied)
	}
	return from, to, nil
}
