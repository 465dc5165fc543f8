package commands

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/permledger/permledger/migrate"
)

// Migrate (C20) runs a legacy migration: tsuru's role migration from a
// snapshot (FORMAT.md), or, with source, a Deis snapshot or a pypicloud
// configuration file (as a JSON string); admin-only. The run id is derived
// from the input's content; the run is a deterministic sequence of steps,
// each an idempotent command with the id RUN:STEP, so a second run appends
// nothing and a run stopped half-way resumes. Every event carries the run
// id. A dry run reports the plan and appends nothing.
type Migrate struct {
	Source   string          `json:"source,omitempty"` // tsuru (default), deis, pypicloud
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
	source, data := c.Source, []byte(c.Snapshot)
	switch source {
	case "":
		source = "tsuru"
	case "pypicloud":
		var text string
		if err := json.Unmarshal(c.Snapshot, &text); err != nil {
			return nil, invalid("snapshot: a pypicloud configuration is the .ini file's text as a JSON string")
		}
		data = []byte(text)
	}
	plan, err := migrate.Parse(source, data)
	if err != nil {
		return nil, invalid("%v", err)
	}
	return plan, nil
}

// MigrationResult is what a migration run answers.
type MigrationResult struct {
	RunID    string         `json:"run_id"`
	Source   string         `json:"source"`
	DryRun   bool           `json:"dry_run"`
	Steps    int            `json:"steps"`
	Applied  int            `json:"steps_applied"`          // steps that appended in this call
	Repeated int            `json:"steps_already_done"`     // steps a previous call had done
	Notes    *migrate.Notes `json:"notes,omitempty"`        // what the input held that is not carried
	Preview  *migrate.Diff  `json:"would_append,omitempty"` // dry run: what would be appended
}

// MigrationProgress reports a run's progress: Step of Steps are appended
// (or found done), covering Users of the plan's UsersTotal users.
type MigrationProgress struct {
	RunID      string
	Step       int
	Steps      int
	Users      int
	UsersTotal int
}

// RunPlan executes (or, with dryRun, previews) a plan on behalf of the
// actor holding token. It is how C20 and the importers append. The plan is
// normalized in place. progress, if set, is called after every step, with
// the handler busy: it must not submit commands to this handler.
func (h *Handler) RunPlan(ctx context.Context, token string, plan *migrate.Plan, dryRun bool, progress func(MigrationProgress)) (Reply, error) {
	x := &execution{h: h, req: Request{Name: "migrate", Token: token}}
	if err := h.waitFloor(ctx); err != nil {
		return Reply{}, err
	}
	if err := x.preflight(); err != nil {
		return Reply{}, err
	}
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

// runPlan follows C20's error order: the actor's token was checked
// (preflight), then the plan (invalid_argument), then the admin flag.
func (h *Handler) runPlan(ctx context.Context, x *execution, plan *migrate.Plan, dryRun bool, progress func(MigrationProgress)) (Reply, error) {
	plan.Normalize()
	if err := h.validPlan(plan); err != nil {
		return Reply{}, err
	}
	if err := x.requireAdminActor(); err != nil {
		return Reply{}, err
	}
	runID, steps := plan.RunID(), plan.Steps()
	res := MigrationResult{RunID: runID, Source: plan.Source, DryRun: dryRun, Steps: len(steps)}
	if n := plan.Notes; len(n.PasswordsDropped) > 0 || len(n.Ignored) > 0 {
		res.Notes = &n
	}
	if dryRun {
		return h.preview(x, runID, steps, res)
	}
	r := &planRun{h: h, token: x.req.Token, runID: runID, steps: steps, progress: progress, usersTotal: len(plan.Users)}
	rep, err := r.run(ctx)
	if err != nil {
		return Reply{}, err
	}
	res.Applied, res.Repeated = r.applied, r.repeated
	rep.Result = res
	return rep, nil
}

// validPlan checks the plan on its own, then its roles against the catalog
// in force: known permissions, allowed in the role's context.
func (h *Handler) validPlan(plan *migrate.Plan) error {
	if err := plan.Validate(); err != nil {
		return invalid("%v", err)
	}
	snap := h.store.Snapshot()
	defer snap.Close()
	cat := snap.Catalog()
	for _, r := range plan.Roles {
		if !cat.IsContextType(r.Context) {
			return invalid("plan: role %q: unknown context type %q", r.Name, r.Context)
		}
		if _, err := validPermissions(cat, r.Permissions); err != nil {
			return fmt.Errorf("plan: role %q: %w", r.Name, err)
		}
		for _, p := range r.Permissions {
			if !cat.Allows(p, r.Context) {
				return invalid("plan: role %q: permission %q not allowed with context of type %q (allowed: %s)",
					r.Name, p, r.Context, strings.Join(cat.AllowedContexts(p), ", "))
			}
		}
	}
	return nil
}

// preview decides every step not yet done on the current state, as a run
// would, and reports what they would append.
func (h *Handler) preview(x *execution, runID string, steps []migrate.Step, res MigrationResult) (Reply, error) {
	snap := h.store.Snapshot()
	defer snap.Close()
	actor, err := x.authenticate(snap)
	if err != nil {
		return Reply{}, err
	}
	diff := &migrate.Diff{}
	for _, s := range steps {
		if rec, err := snap.Command(fmt.Sprintf("%s:%d", runID, s.Index)); err != nil {
			return Reply{}, err
		} else if rec != nil {
			res.Repeated++
			continue
		}
		out, err := (&migrateStep{RunID: runID, Step: s}).Decide(snap, Input{Actor: actor, Now: h.cfg.Now()})
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
