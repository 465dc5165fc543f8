package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// TokenRegenerate (C16): for oneself (any authenticated user), for another
// user [apikey.update in user:<user>], or for everyone (admin-only, the
// actor's tokens included, nothing returned).
type TokenRegenerate struct {
	User string `json:"user,omitempty"`
	All  bool   `json:"all,omitempty"`
}

func init() { register("token-regenerate", func() Command { return &TokenRegenerate{} }) }

func (c *TokenRegenerate) Name() string      { return "token-regenerate" }
func (c *TokenRegenerate) Auth() Auth        { return AuthRequired }
func (c *TokenRegenerate) issuesToken() bool { return !c.All }

func (c *TokenRegenerate) Decide(st State, in Input) (Outcome, error) {
	if c.All {
		if c.User != "" {
			return Outcome{}, invalid("user and all are exclusive (got user %q)", c.User)
		}
		if err := requireAdmin(in.Actor, "token-regenerate --all"); err != nil {
			return Outcome{}, err
		}
		return Outcome{Events: []events.Payload{events.TokensRevokedAll{}}}, nil
	}
	target := c.User
	if target == "" || target == in.Actor.Name {
		return c.regenerate(in.Actor.Name, in)
	}
	if err := validName("user", target); err != nil {
		return Outcome{}, err
	}
	ctx := catalog.Context{Type: catalog.SelfContextType, Value: target}
	if err := requirePermission(st, in.Actor, "apikey.update", ctx); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(target)
	if err != nil {
		return Outcome{}, err
	}
	if u == nil {
		return Outcome{}, notFound("user %q not found", target)
	}
	return c.regenerate(target, in)
}

func (c *TokenRegenerate) regenerate(user string, in Input) (Outcome, error) {
	return Outcome{
		Events: []events.Payload{events.TokensRevoked{User: user}, events.TokenIssued{User: user, TokenHash: in.NewToken.Hash}},
		Token:  in.NewToken.Plain,
	}, nil
}
