package commands

import (
	"context"
	"errors"
	"fmt"

	"github.com/permledger/permledger/migrate"
	"github.com/permledger/permledger/readmodel"
)

// stepsPerLock bounds how many steps a run appends while holding the
// handler's lock; other commands of this process get in between.
const stepsPerLock = 16

// errChainBroken is a step's append that found another writer's message
// before it (a conflict, or the same step appended by a concurrent run).
var errChainBroken = errors.New("the log moved under the run")

// planRun appends a plan's steps as a chain. Steps touch disjoint roles,
// teams and users, so none depends on another's events: every step is
// decided on one snapshot of the state before the run and appended right
// after the previous one, expecting that one's sequence (so no other
// writer got in between), and the read model is waited for once, at the
// end. A step already recorded (a run stopped half-way) is a repeat and
// appends nothing. When another writer breaks the chain, the run waits for
// the read model to catch up with the log and decides the remaining steps
// again on a fresh snapshot, where what it appended is found recorded.
type planRun struct {
	h                 *Handler
	token, runID      string
	steps             []migrate.Step
	progress          func(MigrationProgress)
	usersTotal        int
	next, usersDone   int
	applied, repeated int
	events            int
	seq               uint64
}

func (r *planRun) run(ctx context.Context) (Reply, error) {
	conflicts := 0
	for r.next < len(r.steps) {
		from := r.next
		err := r.chain(ctx)
		if err == nil {
			break
		}
		if !errors.Is(err, errChainBroken) {
			return Reply{}, r.wrap(err)
		}
		if r.next > from {
			conflicts = 0
		}
		if conflicts++; conflicts > r.h.cfg.Retries {
			return Reply{}, r.wrap(fmt.Errorf("%w: lost to concurrent writers %d times: %v", ErrConflict, conflicts-1, err))
		}
		if err := r.catchUp(ctx); err != nil {
			return Reply{}, r.wrap(err)
		}
	}
	if err := r.h.store.WaitApplied(ctx, r.seq); err != nil {
		return Reply{}, fmt.Errorf("%w: migration %s appended up to %d but it is not yet applied: %v", ErrUnavailable, r.runID, r.seq, err)
	}
	return Reply{Events: r.events, Seq: r.seq}, nil
}

func (r *planRun) wrap(err error) error {
	return fmt.Errorf("migration %s step %d of %d: %w", r.runID, r.next+1, len(r.steps), err)
}

// decided is one step as decided on the chain's snapshot.
type decided struct {
	cmdID  string
	data   []byte // nil: nothing to append
	events int
	repeat *Reply // the step was recorded before
	err    error
}

// chain decides the remaining steps on one snapshot, a few steps ahead in
// a goroutine of its own, and appends them in order as they come.
func (r *planRun) chain(ctx context.Context) error {
	snap := r.h.store.Snapshot()
	expected := snap.Seq()
	r.seq = max(r.seq, expected)
	ctx, cancel := context.WithCancel(ctx)
	ahead := make(chan decided, decideAhead)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer snap.Close()
		r.decideFrom(ctx, snap, r.next, ahead)
	}()
	defer func() {
		cancel()
		<-done
	}()
	for r.next < len(r.steps) {
		var err error
		if expected, err = r.window(ctx, ahead, expected); err != nil {
			return err
		}
	}
	return nil
}

// decideAhead is how many steps the decisions may run ahead of the appends.
const decideAhead = 4

// decideFrom decides steps from..end on snap, in order, until ctx ends or
// a decision fails.
func (r *planRun) decideFrom(ctx context.Context, snap *readmodel.Snapshot, from int, out chan<- decided) {
	for i := from; i < len(r.steps); i++ {
		d := r.decide(snap, r.steps[i])
		select {
		case out <- d:
		case <-ctx.Done():
			return
		}
		if d.err != nil {
			return
		}
	}
}

// decide runs one step's decision (repeat, actor, Decide, encoding) on snap.
func (r *planRun) decide(snap *readmodel.Snapshot, s migrate.Step) decided {
	req := Request{Name: migrateStepName, CommandID: fmt.Sprintf("%s:%d", r.runID, s.Index), Token: r.token, RunID: r.runID}
	x := &execution{h: r.h, req: req, cmd: &migrateStep{RunID: r.runID, Step: s}, prepared: true}
	out, data, _, err := x.decide(snap)
	d := decided{cmdID: req.CommandID, data: data, events: len(out.Events), err: err}
	if m, ok := out.Result.(repeatMarker); ok {
		d.repeat = m.rep
	}
	return d
}

// window appends up to stepsPerLock steps under the handler's lock.
func (r *planRun) window(ctx context.Context, ahead <-chan decided, expected uint64) (uint64, error) {
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	for end := min(r.next+stepsPerLock, len(r.steps)); r.next < end; r.next++ {
		var d decided
		select {
		case d = <-ahead:
		case <-ctx.Done():
			return expected, ctx.Err()
		}
		seq, err := r.append(ctx, d, expected)
		if err != nil {
			return expected, err
		}
		expected = seq
		r.usersDone += len(r.steps[r.next].Users)
		if r.progress != nil {
			r.progress(MigrationProgress{RunID: r.runID, Step: r.next + 1, Steps: len(r.steps), Users: r.usersDone, UsersTotal: r.usersTotal})
		}
	}
	return expected, nil
}

// append appends a decided step after expected, returning the sequence the
// next step must expect.
func (r *planRun) append(ctx context.Context, d decided, expected uint64) (uint64, error) {
	switch {
	case d.err != nil:
		return 0, d.err
	case d.repeat != nil:
		r.repeated++
		r.seq = max(r.seq, d.repeat.Seq)
		return expected, nil
	case d.data == nil:
		return expected, nil
	}
	seq, err := r.h.log.Append(ctx, d.data, d.cmdID, expected)
	switch {
	case errors.Is(err, ErrConflict), errors.Is(err, ErrDuplicate):
		return 0, fmt.Errorf("%w: %v", errChainBroken, err)
	case err != nil:
		return 0, err
	}
	r.applied++
	r.events += d.events
	r.seq = seq
	return seq, nil
}

// catchUp waits until the read model has applied the log's last sequence.
func (r *planRun) catchUp(ctx context.Context) error {
	last, err := r.h.log.LastSeq(ctx)
	if err != nil {
		return err
	}
	return r.h.store.WaitApplied(ctx, last)
}
