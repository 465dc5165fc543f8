package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// UserDelete (C5) removes a user with its tokens, assignments and overrides
// [user.delete in user:<user>].
type UserDelete struct {
	User string `json:"user"`
}

func init() { register("user-delete", func() Command { return &UserDelete{} }) }

func (c *UserDelete) Name() string { return "user-delete" }
func (c *UserDelete) Auth() Auth   { return AuthRequired }

func (c *UserDelete) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	ctx := catalog.Context{Type: catalog.SelfContextType, Value: c.User}
	if err := requirePermission(st, in.Actor, "user.delete", ctx); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	if u == nil {
		return Outcome{}, notFound("user %q not found", c.User)
	}
	return Outcome{Events: []events.Payload{events.UserDeleted{User: c.User}}}, nil
}
