package commands

import "github.com/permledger/permledger/events"

// Grant (C14) sets an allow override [permission.grant in that context].
type Grant struct{ overrideArgs }

func init() { register("grant", func() Command { return &Grant{} }) }

func (c *Grant) Name() string { return "grant" }
func (c *Grant) Auth() Auth   { return AuthRequired }

func (c *Grant) Decide(st State, in Input) (Outcome, error) {
	ctx, err := c.parsed(st.Catalog())
	if err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "permission.grant", ctx); err != nil {
		return Outcome{}, err
	}
	u, err := c.target(st, in, ctx)
	if err != nil {
		return Outcome{}, err
	}
	if o, ok := u.Override(c.Permission, ctx.String()); ok && o.Allow {
		return Outcome{}, nil
	}
	e := events.PermissionGranted{User: c.User, Permission: c.Permission, Context: ctx.String()}
	return Outcome{Events: []events.Payload{e}}, nil
}
