package commands

import "github.com/permledger/permledger/events"

// UserApprove (C4) moves a pending user to active; admin-only.
type UserApprove struct {
	User string `json:"user"`
}

func init() { register("user-approve", func() Command { return &UserApprove{} }) }

func (c *UserApprove) Name() string { return "user-approve" }
func (c *UserApprove) Auth() Auth   { return AuthRequired }

func (c *UserApprove) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if err := requireAdmin(in.Actor, "user-approve"); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	if u == nil {
		return Outcome{}, notFound("user %q not found", c.User)
	}
	if u.Active() {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.UserApproved{User: c.User}}}, nil
}
