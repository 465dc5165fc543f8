package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// UserCreate (C3) creates an active user [user.create] and applies the
// user-create default roles.
type UserCreate struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

func init() { register("user-create", func() Command { return &UserCreate{} }) }

func (c *UserCreate) Name() string         { return "user-create" }
func (c *UserCreate) Auth() Auth           { return AuthRequired }
func (c *UserCreate) password() string     { return c.Password }
func (c *UserCreate) fingerprintArgs() any { return struct{ User string }{c.User} }

func (c *UserCreate) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if err := validatePassword(c.Password); err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "user.create", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	if u != nil {
		return Outcome{}, alreadyExists("user %q already exists", c.User)
	}
	evs := []events.Payload{events.UserCreated{User: c.User, PasswordHash: in.PasswordHash, Status: events.StatusActive}}
	evs = append(evs, defaultAssignments(st, events.DefaultOnUserCreate, c.User, "")...)
	return Outcome{Events: evs}, nil
}
