package commands

import "github.com/permledger/permledger/events"

// RoleAssign (C12) assigns (role, value) to a user [role.update.assign], if
// the actor itself holds every permission of the role in that context.
type RoleAssign struct{ assignmentArgs }

func init() { register("role-assign", func() Command { return &RoleAssign{} }) }

func (c *RoleAssign) Name() string { return "role-assign" }
func (c *RoleAssign) Auth() Auth   { return AuthRequired }

func (c *RoleAssign) Decide(st State, in Input) (Outcome, error) {
	t, err := c.resolve(st, in, "role.update.assign", true)
	if err != nil {
		return Outcome{}, err
	}
	if t.user.HasAssignment(c.Role, c.Value) {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RoleAssigned{Role: c.Role, User: c.User, Value: c.Value}}}, nil
}
