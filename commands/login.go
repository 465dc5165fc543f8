package commands

import "github.com/permledger/permledger/events"

// Login (C17) returns a new token. Wrong password, unknown, pending or
// deleted user: unauthenticated, one message for all.
type Login struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

func init() { register("login", func() Command { return &Login{} }) }

func (c *Login) Name() string         { return "login" }
func (c *Login) Auth() Auth           { return AuthNone }
func (c *Login) issuesToken() bool    { return true }
func (c *Login) fingerprintArgs() any { return struct{ User string }{c.User} }

func (c *Login) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if err := validatePassword(c.Password); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	if u == nil || !u.Active() || !in.verify(u.PasswordHash, c.Password) {
		return Outcome{}, errUnauthenticated
	}
	return Outcome{
		Events: []events.Payload{events.TokenIssued{User: c.User, TokenHash: in.NewToken.Hash}},
		Token:  in.NewToken.Plain,
	}, nil
}
