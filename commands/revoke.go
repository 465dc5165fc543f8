package commands

import "github.com/permledger/permledger/events"

// Revoke (C14) sets a deny override [permission.revoke in that context].
type Revoke struct{ overrideArgs }

func init() { register("revoke", func() Command { return &Revoke{} }) }

func (c *Revoke) Name() string { return "revoke" }
func (c *Revoke) Auth() Auth   { return AuthRequired }

func (c *Revoke) Decide(st State, in Input) (Outcome, error) {
	ctx, err := c.parsed(st.Catalog())
	if err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "permission.revoke", ctx); err != nil {
		return Outcome{}, err
	}
	u, err := c.target(st, in, ctx)
	if err != nil {
		return Outcome{}, err
	}
	if o, ok := u.Override(c.Permission, ctx.String()); ok && !o.Allow {
		return Outcome{}, nil
	}
	e := events.PermissionRevoked{User: c.User, Permission: c.Permission, Context: ctx.String()}
	return Outcome{Events: []events.Payload{e}}, nil
}
