package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// Reset (C14) removes the override at (user, permission, context). Removing
// an allow needs permission.revoke, removing a deny permission.grant; with
// no override it is a no-op that needs either.
type Reset struct{ overrideArgs }

func init() { register("reset", func() Command { return &Reset{} }) }

func (c *Reset) Name() string { return "reset" }
func (c *Reset) Auth() Auth   { return AuthRequired }

func (c *Reset) Decide(st State, in Input) (Outcome, error) {
	ctx, err := c.parsed(st.Catalog())
	if err != nil {
		return Outcome{}, err
	}
	existing, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	var o policy.Override
	has := false
	if existing != nil {
		o, has = existing.Override(c.Permission, ctx.String())
	}
	if err := c.authorize(st, in, ctx, has, o.Allow); err != nil {
		return Outcome{}, err
	}
	if _, err := c.target(st, in, ctx); err != nil {
		return Outcome{}, err
	}
	if !has {
		return Outcome{}, nil
	}
	e := events.PermissionReset{User: c.User, Permission: c.Permission, Context: ctx.String()}
	return Outcome{Events: []events.Payload{e}}, nil
}

func (c *Reset) authorize(st State, in Input, ctx catalog.Context, has, allow bool) error {
	switch {
	case has && allow:
		return requirePermission(st, in.Actor, "permission.revoke", ctx)
	case has:
		return requirePermission(st, in.Actor, "permission.grant", ctx)
	}
	if requirePermission(st, in.Actor, "permission.grant", ctx) == nil {
		return nil
	}
	return requirePermission(st, in.Actor, "permission.revoke", ctx)
}
