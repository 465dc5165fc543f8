package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// RoleDefaultRemove (C15) unregisters a role default [role.default.delete];
// it takes nothing back from anyone.
type RoleDefaultRemove struct{ defaultArgs }

func init() { register("role-default-remove", func() Command { return &RoleDefaultRemove{} }) }

func (c *RoleDefaultRemove) Name() string { return "role-default-remove" }
func (c *RoleDefaultRemove) Auth() Auth   { return AuthRequired }

func (c *RoleDefaultRemove) Decide(st State, in Input) (Outcome, error) {
	role, err := c.resolve(st, in, "role.default.delete")
	if err != nil {
		return Outcome{}, err
	}
	if !role.HasEvent(c.Event) {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RoleDefaultRemoved{Role: c.Role, Event: c.Event}}}, nil
}

// resolve runs steps 2-4 shared by role-default-add and -remove.
func (a *defaultArgs) resolve(st State, in Input, perm string) (*readmodel.Role, error) {
	if err := validName("role", a.Role); err != nil {
		return nil, err
	}
	if a.Event != events.DefaultOnUserCreate && a.Event != events.DefaultOnTeamCreate {
		return nil, invalid("event %q: must be %s or %s", a.Event, events.DefaultOnUserCreate, events.DefaultOnTeamCreate)
	}
	if err := requirePermission(st, in.Actor, perm, catalog.GlobalContext); err != nil {
		return nil, err
	}
	role := st.RoleDoc(a.Role)
	if role == nil {
		return nil, notFound("role %q not found", a.Role)
	}
	return role, nil
}
