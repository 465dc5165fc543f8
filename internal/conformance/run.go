package conformance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/permledger/permledger/api"
)

// scenarioTimeout bounds one scenario, fresh ledger included.
const scenarioTimeout = 60 * time.Second

// Run runs sc on a fresh target from newTarget, closed afterwards, and
// returns nil if every step answered as expected, or an error
// "step N (STEP): expected X, got Y" for the first that did not.
func Run(ctx context.Context, sc *Scenario, newTarget NewTarget) (err error) {
	ctx, cancel := context.WithTimeout(ctx, scenarioTimeout)
	defer cancel()
	t, err := newTarget(ctx)
	if err != nil {
		return fmt.Errorf("starting a fresh ledger: %w", err)
	}
	if t == nil {
		return errors.New("starting a fresh ledger: no target and no error")
	}
	defer func() {
		if cerr := t.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the ledger: %w", cerr)
		}
	}()
	r := &runner{t: t, creds: newCredentials(), marks: map[string]uint64{}}
	for i, st := range sc.Steps {
		if err := r.step(ctx, st); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, st, err)
		}
	}
	return nil
}

// runner is one scenario's run: its target and what earlier steps left.
type runner struct {
	t      Target
	creds  *credentials
	marks  map[string]uint64
	minSeq uint64 // the highest sequence seen: checks read at least this far
}

func (r *runner) step(ctx context.Context, st Step) error {
	switch {
	case st.Do != nil:
		return r.do(ctx, st.Do)
	case st.Check != nil:
		return r.check(ctx, st.Check)
	case st.Authenticate != nil:
		return r.authenticate(ctx, st.Authenticate)
	}
	return errors.New("the step has none of do, check, authenticate")
}

func (r *runner) seen(seq uint64) { r.minSeq = max(r.minSeq, seq) }

func (r *runner) lastSeq(ctx context.Context) (uint64, error) {
	seq, err := r.t.LastSeq(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the stream's last sequence: %w", err)
	}
	r.seen(seq)
	return seq, nil
}

// do runs one command step: resolve the actor, substitute `$name`s, submit,
// compare the outcome and the stream's last sequence before and after.
func (r *runner) do(ctx context.Context, d *DoStep) error {
	token, actor, err := r.actor(ctx, d)
	if err != nil {
		return err
	}
	args, err := substitute(d.Args, r.creds.savedToken)
	if err != nil {
		return err
	}
	before, err := r.lastSeq(ctx)
	if err != nil {
		return err
	}
	reply, cmdErr := r.submit(ctx, d.Command, token, args)
	after, err := r.lastSeq(ctx)
	if err != nil {
		return err
	}
	r.seen(reply.Seq)
	if err := verifyCommand(d, reply, cmdErr, before, after); err != nil {
		return err
	}
	if cmdErr == nil {
		r.creds.record(d, args, actor, reply)
	}
	if d.Mark != "" {
		r.marks[d.Mark] = after
	}
	return nil
}

// submit sends the command: root-user-create through the local operator
// path, every other command through Target.Command.
func (r *runner) submit(ctx context.Context, name, token string, args json.RawMessage) (api.CommandReply, error) {
	var reply api.CommandReply
	var err error
	if name == "root-user-create" {
		a := readArgs(args)
		reply, err = r.t.RootUserCreate(ctx, a.User, a.Password)
	} else {
		reply, err = r.t.Command(ctx, name, token, args)
	}
	if err == nil && reply.Error != nil {
		err = reply.Error
	}
	return reply, err
}
