package commands

import "github.com/permledger/permledger/events"

// AdminSet (C6) sets or clears a user's admin flag; admin-only (Deis
// perms:create --admin). Demoting the last admin is allowed.
type AdminSet struct {
	User  string `json:"user"`
	Admin *bool  `json:"admin"`
}

func init() { register("admin-set", func() Command { return &AdminSet{} }) }

func (c *AdminSet) Name() string { return "admin-set" }
func (c *AdminSet) Auth() Auth   { return AuthRequired }

func (c *AdminSet) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if c.Admin == nil {
		return Outcome{}, invalid("admin: true or false is required")
	}
	if err := requireAdmin(in.Actor, "admin-set"); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	if u == nil {
		return Outcome{}, notFound("user %q not found", c.User)
	}
	if u.Admin == *c.Admin {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.UserAdminSet{User: c.User, Admin: *c.Admin}}}, nil
}
