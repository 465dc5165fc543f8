package commands

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/permledger/permledger/migrate"
)

// Migrate (C20) runs tsuru's legacy role migration from a snapshot;
// admin-only. The run id is derived from the snapshot's content; the run is
// a deterministic sequence of steps, each an idempotent command with the id
// RUN:STEP, so a second run appends nothing and a run stopped half-way
// resumes. Every event carries the run id. A dry run reports the plan and
// appends nothing.
type Migrate struct {
	Snapshot json.RawMessage `json:"snapshot"`
	DryRun   bool            `json:"dry_run,omitempty"`
}

func init() { register("migrate", func() Command { return &Migrate{} }) }

func (c *Migrate) Name() string { return "migrate" }
func (c *Migrate) Auth() Auth   { return AuthRequired }

// Decide is not used: the handler runs a migration as a sequence of steps.
func (c *Migrate) Decide(st State, in Input) (Outcome, error) {
	return Outcome{}, fmt.Errorf("%w: migrate runs through Handler.Execute", ErrFailedPrecondition)
}

func (c *Migrate) plan() (*migrate.Plan, error) {
	if len(c.Snapshot) == 0 {
		return nil, invalid("snapshot is required")
	}
	snap, err := migrate.ParseTsuru(c.Snapshot)
	if err != nil {
		return nil, invalid("%v", err)
	}
	return snap.Plan(), nil
}

// MigrationResult is what a migration run answers.
type MigrationResult struct {
	RunID    string        `json:"run_id"`
	DryRun   bool          `json:"dry_run"`
	Steps    int           `json:"steps"`
	Applied  int           `json:"steps_applied"`          // steps that appended in this call
	Repeated int           `json:"steps_already_done"`     // steps a previous call had done
	Preview  *migrate.Diff `json:"would_append,omitempty"` // dry run: what would be appended
}

// RunPlan executes (or, with dryRun, previews) a plan on behalf of the
// actor holding token. It is how C20 and the importers append.
func (h *Handler) RunPlan(ctx context.Context, token string, plan *migrate.Plan, dryRun bool, progress func(done, of int)) (Reply, error) {
	x := &execution{h: h, req: Request{Name: "migrate", Token: token}}
	return h.runPlan(ctx, x, plan, dryRun, progress)
}

func (h *Handler) migrate(ctx context.Context, x *execution, c *Migrate) (Reply, error) {
	if err := x.preflight(); err != nil {
		return Reply{}, err
	}
	plan, err := c.plan()
	if err != nil {
		return Reply{}, err
	}
	return h.runPlan(ctx, x, plan, c.DryRun, nil)
}

func (h *Handler) runPlan(ctx context.Context, x *execution, plan *migrate.Plan, dryRun bool, progress func(done, of int)) (Reply, error) {
	if err := x.requireAdminActor(); err != nil {
		return Reply{}, err
	}
	runID, steps := plan.RunID(), plan.Steps()
	res := MigrationResult{RunID: runID, DryRun: dryRun, Steps: len(steps)}
	if dryRun {
		return h.preview(x, steps, res)
	}
	var rep Reply
	for _, s := range steps {
		r, err := h.runStep(ctx, x, runID, s)
		if err != nil {
			return Reply{}, fmt.Errorf("migration %s step %d of %d: %w", runID, s.Index+1, len(steps), err)
		}
		rep.Events += r.Events
		rep.Seq = max(rep.Seq, r.Seq)
		if r.Repeat {
			res.Repeated++
		} else {
			res.Applied++
		}
		if progress != nil {
			progress(s.Index+1, len(steps))
		}
	}
	rep.Result = res
	return rep, nil
}

func (h *Handler) runStep(ctx context.Context, parent *execution, runID string, s migrate.Step) (Reply, error) {
	req := Request{Name: migrateStepName, CommandID: fmt.Sprintf("%s:%d", runID, s.Index), Token: parent.req.Token, RunID: runID}
	x := &execution{h: h, req: req, cmd: &migrateStep{RunID: runID, Step: s}, prepared: true}
	h.mu.Lock()
	defer h.mu.Unlock()
	return x.run(ctx)
}

func (h *Handler) preview(x *execution, steps []migrate.Step, res MigrationResult) (Reply, error) {
	snap := h.store.Snapshot()
	defer snap.Close()
	actor, err := x.authenticate(snap)
	if err != nil {
		return Reply{}, err
	}
	diff := &migrate.Diff{}
	for _, s := range steps {
		out, err := (&migrateStep{Step: s}).Decide(snap, Input{Actor: actor, Now: h.cfg.Now()})
		if err != nil {
			return Reply{}, err
		}
		diff.Add(out.Events, snap)
	}
	res.Preview = diff
	return Reply{Seq: snap.Seq(), Result: res}, nil
}

// preflight is steps 1-2 before a run: the actor's token, then the arguments.
func (x *execution) preflight() error {
	snap := x.h.store.Snapshot()
	defer snap.Close()
	if _, err := x.authenticate(snap); err != nil {
		return err
	}
	return x.parseErr
}

// requireAdminActor is step 3 for a run: the actor must be an admin.
func (x *execution) requireAdminActor() error {
	snap := x.h.store.Snapshot()
	defer snap.Close()
	actor, err := x.authenticate(snap)
	if err != nil {
		return err
	}
	return requireAdmin(actor, "migrate")
}
