package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/readmodel"
)

// overrideArgs are the arguments of grant, revoke and reset (C14).
type overrideArgs struct {
	User       string `json:"user"`
	Permission string `json:"permission"`
	Context    string `json:"context,omitempty"`
}

// parsed is step 2 for C14: the permission is known, the context parses and
// the permission allows it. No context means global.
func (a *overrideArgs) parsed(cat *catalog.Catalog) (catalog.Context, error) {
	if err := validName("user", a.User); err != nil {
		return catalog.Context{}, err
	}
	if err := cat.CheckPermission(a.Permission); err != nil {
		return catalog.Context{}, invalid("%v", err)
	}
	ctx, err := parseContext(cat, a.Context)
	if err != nil {
		return catalog.Context{}, err
	}
	if err := cat.CheckContextAllowed(a.Permission, ctx); err != nil {
		return catalog.Context{}, invalid("%v", err)
	}
	return ctx, nil
}

// target is step 4 then 5: the user exists, and the actor itself passes
// check for the permission in the context (anti-escalation).
func (a *overrideArgs) target(st State, in Input, ctx catalog.Context) (*readmodel.User, error) {
	u, err := st.User(a.User)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, notFound("user %q not found", a.User)
	}
	if err := requireHolds(st, in.Actor, []string{a.Permission}, ctx); err != nil {
		return nil, err
	}
	return u, nil
}
