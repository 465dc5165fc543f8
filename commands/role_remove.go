package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// RoleRemove (C9) removes a role [role.delete]; one still assigned to anyone
// is failed_precondition (tsuru 412). Its default registrations go with it.
type RoleRemove struct {
	Role string `json:"role"`
}

func init() { register("role-remove", func() Command { return &RoleRemove{} }) }

func (c *RoleRemove) Name() string { return "role-remove" }
func (c *RoleRemove) Auth() Auth   { return AuthRequired }

func (c *RoleRemove) Decide(st State, in Input) (Outcome, error) {
	if err := validName("role", c.Role); err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "role.delete", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	if st.RoleDoc(c.Role) == nil {
		return Outcome{}, notFound("role %q not found", c.Role)
	}
	held, err := st.RoleHasHolders(c.Role)
	if err != nil {
		return Outcome{}, err
	}
	if held {
		return Outcome{}, precondition("role %q has users assigned; dissociate them before removing the role", c.Role)
	}
	return Outcome{Events: []events.Payload{events.RoleRemoved{Role: c.Role}}}, nil
}
