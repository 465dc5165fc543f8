package commands

import (
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/migrate"
)

const migrateStepName = "migrate-step"

// migrateStep is one step of a migration run, never submitted over the
// network. It appends only what is missing, and always a
// migration.step_applied marker, so that its command id is recorded and a
// re-run appends nothing even if the state was changed by hand in between.
type migrateStep struct {
	RunID string       `json:"run_id"`
	Step  migrate.Step `json:"step"`
}

func (c *migrateStep) Name() string { return migrateStepName }
func (c *migrateStep) Auth() Auth   { return AuthRequired }

func (c *migrateStep) Decide(st State, in Input) (Outcome, error) {
	if err := requireAdmin(in.Actor, "migrate"); err != nil {
		return Outcome{}, err
	}
	var evs []events.Payload
	for _, r := range c.Step.Roles {
		e, err := ensureRole(st, r)
		if err != nil {
			return Outcome{}, err
		}
		evs = append(evs, e...)
	}
	for _, t := range c.Step.Teams {
		if team, err := st.Team(t); err != nil {
			return Outcome{}, err
		} else if team == nil {
			evs = append(evs, events.TeamCreated{Team: t})
		}
	}
	users, err := c.users(st)
	if err != nil {
		return Outcome{}, err
	}
	evs = append(evs, users...)
	evs = append(evs, events.MigrationStepApplied{RunID: c.RunID, Step: c.Step.Index, Steps: c.Step.Of})
	return Outcome{Events: evs}, nil
}

// users creates missing users (active, no event defaults, existing ones
// untouched), sets the admin flag where the plan says so and it is not set,
// and adds the assignments they lack.
func (c *migrateStep) users(st State) ([]events.Payload, error) {
	var evs []events.Payload
	created := map[string]bool{}
	for _, u := range c.Step.Users {
		cur, err := st.User(u.Name)
		if err != nil {
			return nil, err
		}
		if cur == nil {
			created[u.Name] = true
			evs = append(evs, events.UserCreated{User: u.Name, PasswordHash: u.PasswordHash, Status: events.StatusActive})
		}
	}
	for _, name := range c.Step.Admins {
		cur, err := st.User(name)
		if err != nil {
			return nil, err
		}
		if created[name] || (cur != nil && !cur.Admin) {
			evs = append(evs, events.UserAdminSet{User: name, Admin: true})
		}
	}
	for _, a := range c.Step.Assignments {
		if !created[a.User] {
			cur, err := st.User(a.User)
			if err != nil {
				return nil, err
			}
			if cur == nil || cur.HasAssignment(a.Role, a.Value) {
				continue
			}
		}
		evs = append(evs, events.RoleAssigned{Role: a.Role, User: a.User, Value: a.Value})
	}
	return evs, nil
}

// ensureRole creates a role, or completes one of the same context and flag;
// one with another context or flag is failed_precondition.
func ensureRole(st State, r migrate.Role) ([]events.Payload, error) {
	cur := st.RoleDoc(r.Name)
	var evs []events.Payload
	if cur == nil {
		evs = append(evs, events.RoleCreated{Role: r.Name, Context: r.Context, Unlimited: r.Unlimited})
	} else if cur.Context != r.Context || cur.Unlimited != r.Unlimited {
		return nil, precondition("role %q exists with context %s and unlimited=%v; the migration needs context %s and unlimited=%v",
			r.Name, cur.Context, cur.Unlimited, r.Context, r.Unlimited)
	}
	var add []string
	for _, p := range r.Permissions {
		if cur == nil || !cur.Has(p) {
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		evs = append(evs, events.RolePermissionsAdded{Role: r.Name, Permissions: add})
	}
	for _, d := range r.Defaults {
		if cur == nil || !cur.HasEvent(d) {
			evs = append(evs, events.RoleDefaultAdded{Role: r.Name, Event: d})
		}
	}
	return evs, nil
}
