package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// RoleDefaultAdd (C15) registers a role as a default on user-create (a
// global role) or team-create (a team role) [role.default.create].
// Registering an unlimited role is admin-only (defaults run no
// anti-escalation when they hand the role out).
type RoleDefaultAdd struct{ defaultArgs }

func init() { register("role-default-add", func() Command { return &RoleDefaultAdd{} }) }

func (c *RoleDefaultAdd) Name() string { return "role-default-add" }
func (c *RoleDefaultAdd) Auth() Auth   { return AuthRequired }

func (c *RoleDefaultAdd) Decide(st State, in Input) (Outcome, error) {
	role, err := c.resolve(st, in, "role.default.create")
	if err != nil {
		return Outcome{}, err
	}
	if role.Unlimited {
		// A default hands the role out at user-create or team-create, where no
		// anti-escalation runs: registering an unlimited role is admin-only,
		// like assigning one (C12).
		if err := requireAdmin(in.Actor, "registering the unlimited role "+role.Name+" as a default"); err != nil {
			return Outcome{}, err
		}
	}
	if role.Name == policy.DefaultRole {
		return Outcome{}, invalid("role %q cannot be an event default", policy.DefaultRole)
	}
	if want := c.context(); role.Context != want {
		return Outcome{}, invalid("wrong context type for role event %s: expected %q, role %q has %q", c.Event, want, c.Role, role.Context)
	}
	if role.HasEvent(c.Event) {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RoleDefaultAdded{Role: c.Role, Event: c.Event}}}, nil
}

type defaultArgs struct {
	Role  string `json:"role"`
	Event string `json:"event"`
}

func (a *defaultArgs) context() string {
	if a.Event == events.DefaultOnUserCreate {
		return catalog.Global
	}
	return "team"
}
