package commands

import "github.com/permledger/permledger/events"

// RoleDissociate (C13) removes exactly (role, value) from a user
// [role.update.dissociate], with C12's value rules and anti-escalation. The
// value is not required to name an existing team (tsuru does not validate it).
type RoleDissociate struct{ assignmentArgs }

func init() { register("role-dissociate", func() Command { return &RoleDissociate{} }) }

func (c *RoleDissociate) Name() string { return "role-dissociate" }
func (c *RoleDissociate) Auth() Auth   { return AuthRequired }

func (c *RoleDissociate) Decide(st State, in Input) (Outcome, error) {
	t, err := c.resolve(st, in, "role.update.dissociate", false)
	if err != nil {
		return Outcome{}, err
	}
	if !t.user.HasAssignment(c.Role, c.Value) {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RoleDissociated{Role: c.Role, User: c.User, Value: c.Value}}}, nil
}
