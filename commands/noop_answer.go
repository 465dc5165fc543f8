package commands

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// pendingLimit is how long a pending no-op record may stay pending before
// another attempt of its id withdraws it, taking it for the leftover of an
// attempt that died between writing it and making it final (a live attempt
// needs two round trips). Withdrawing a live attempt's record is safe: its
// Finalize then fails (the record's revision changed) and it answers
// unavailable instead of the no-op.
const pendingLimit = 2 * time.Second

// noopPoll is how often a pending record of another attempt is read again.
const noopPoll = 10 * time.Millisecond

// recordNoop records a no-op decided at seq, which was the log's last
// sequence, then checks that it still is before making the record final
// and answering. If the log moved in between, the record is withdrawn and
// the command decided again (retry).
func (x *execution) recordNoop(ctx context.Context, out Outcome, seq uint64) (Reply, bool, error) {
	noops := x.h.cfg.Noops
	mine := NoopRecord{CommandID: x.req.CommandID, Command: x.req.Name, Fingerprint: Fingerprint(x.cmd), Seq: seq,
		At: x.h.cfg.Now().UnixNano()}
	got, err := noops.Record(ctx, mine)
	if err != nil {
		return Reply{}, false, noopUnavailable("recording", x.req.CommandID, err)
	}
	if got != mine { // another attempt of this id recorded first
		rep, retry, err := x.awaitNoop(ctx, got)
		if rep == nil {
			return Reply{}, retry, err
		}
		return *rep, false, nil
	}
	last, err := x.h.log.LastSeq(ctx)
	if err != nil || last > seq {
		if ferr := noops.Forget(ctx, mine); ferr != nil {
			return Reply{}, false, errors.Join(err, noopUnavailable("withdrawing", x.req.CommandID, ferr))
		}
		if err != nil {
			return Reply{}, false, err
		}
		return Reply{}, true, x.h.store.WaitApplied(ctx, last)
	}
	if err := noops.Finalize(ctx, mine); err != nil {
		return Reply{}, false, noopUnavailable("finalizing", x.req.CommandID, err)
	}
	return x.reply(out, 0, seq), false, nil
}

// noopFirst asks the shared no-op records, before an append under a
// client-chosen id and after the state it was decided on was taken,
// whether an attempt of the id was answered as a no-op (this process's
// copy of the records may be behind). A pending record is waited out.
func (x *execution) noopFirst(ctx context.Context) (*Reply, bool, error) {
	if !x.clientID {
		return nil, false, nil
	}
	n, found, err := x.h.cfg.Noops.Fetch(ctx, x.req.CommandID)
	if err != nil {
		return nil, false, noopUnavailable("reading", x.req.CommandID, err)
	}
	if !found {
		return nil, false, nil
	}
	return x.awaitNoop(ctx, n)
}

// awaitNoop answers from another attempt's record of this id: a final one
// is the first outcome; a pending one is read again until it is final
// (answer it) or withdrawn (decide again: retry). A record pending for
// longer than pendingLimit is withdrawn here.
func (x *execution) awaitNoop(ctx context.Context, n NoopRecord) (*Reply, bool, error) {
	noops := x.h.cfg.Noops
	for !n.Final {
		if x.h.cfg.Now().Sub(time.Unix(0, n.At)) > pendingLimit {
			if err := noops.Forget(ctx, n); err != nil {
				return nil, false, noopUnavailable("withdrawing a stale", x.req.CommandID, err)
			}
			return nil, true, nil
		}
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("%w: another attempt of command id %q is still deciding", ErrConflict, x.req.CommandID)
		case <-time.After(noopPoll):
		}
		var found bool
		var err error
		if n, found, err = noops.Fetch(ctx, x.req.CommandID); err != nil {
			return nil, false, noopUnavailable("reading", x.req.CommandID, err)
		} else if !found {
			return nil, true, nil
		}
	}
	rep, err := x.noopRepeat(n)
	return rep, false, err
}

// noopRepeat answers a command id whose first outcome was a no-op.
func (x *execution) noopRepeat(n NoopRecord) (*Reply, error) {
	if x.cmd != nil && n.Fingerprint != Fingerprint(x.cmd) || n.Command != x.req.Name {
		return nil, precondition("command id %q was already used by a different %s command", x.req.CommandID, n.Command)
	}
	return &Reply{Seq: n.Seq, Repeat: true}, nil
}

func noopUnavailable(what, id string, err error) error {
	return fmt.Errorf("%w: %s the no-op record of command id %q: %v", ErrUnavailable, what, id, err)
}
