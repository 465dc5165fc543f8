package commands_test

import (
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// C14: grant
func TestGrant(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	granter := allow("bob", "permission.grant", "global") // bob may grant, holds nothing else
	granted := func(perm, ctx string) []events.Payload {
		return evs(events.PermissionGranted{User: "carol", Permission: perm, Context: ctx})
	}
	runCases(t, "grant", []decideCase{
		{name: "in a context", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"team:blue"}`,
			want: granted("app.deploy", "team:blue")},
		{name: "no context means global", actor: "root", args: `{"user":"carol","permission":"app.deploy"}`, want: granted("app.deploy", "global")},
		{name: "global spelled out", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"global"}`, want: granted("app.deploy", "global")},
		{name: "the root permission globally", actor: "root", args: `{"user":"carol","permission":"*"}`, want: granted("*", "global")},
		{name: "context values are opaque", actor: "root", args: `{"user":"carol","permission":"app.read","context":"app:web"}`, want: granted("app.read", "app:web")},
		{name: "a grant replaces a deny", actor: "root", given: evs(deny("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`, want: granted("app.deploy", "global")},
		{name: "an allow in another context is another key", actor: "root", given: evs(allow("carol", "app.deploy", "team:red")),
			args: `{"user":"carol","permission":"app.deploy","context":"team:blue"}`, want: granted("app.deploy", "team:blue")},
		{name: "already allowed is a no-op", actor: "root", given: evs(allow("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`},
		{name: "non-admin holding permission.grant and the permission", actor: "bob", given: evs(granter, allow("bob", "app.deploy", "team:blue")),
			args: `{"user":"carol","permission":"app.deploy","context":"team:blue"}`, want: granted("app.deploy", "team:blue")},
		{name: "non-admin holding permission.grant in that context only", actor: "bob",
			given: evs(allow("bob", "permission.grant", "team:blue"), allow("bob", "app.deploy", "team:blue")),
			args:  `{"user":"carol","permission":"app.deploy","context":"team:blue"}`, want: granted("app.deploy", "team:blue")},

		{name: "unknown permission", actor: "root", args: `{"user":"carol","permission":"app.fly"}`, err: inv, msg: "app.fly"},
		{name: "missing permission", actor: "root", args: `{"user":"carol"}`, err: inv},
		{name: "malformed user", actor: "root", args: `{"user":"","permission":"app.read"}`, err: inv},
		{name: "unknown context type", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"galaxy:far"}`, err: inv, msg: "galaxy"},
		{name: "context without a value", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"team:"}`, err: inv},
		{name: "context without a type", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"blue"}`, err: inv},
		{name: "global with a value", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"global:x"}`, err: inv},
		{name: "context not allowed for the permission", actor: "root", args: `{"user":"carol","permission":"team.create","context":"team:blue"}`, err: inv},
		{name: "root permission only globally", actor: "root", args: `{"user":"carol","permission":"*","context":"team:blue"}`, err: inv},
		{name: "user context not allowed for app", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"user:carol"}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost","permission":"app.deploy"}`, err: nf, msg: "ghost"},

		{name: "non-admin without permission.grant", actor: "bob", args: `{"user":"carol","permission":"app.deploy"}`, err: forb},
		{name: "order: invalid context before forbidden", actor: "bob", args: `{"user":"carol","permission":"app.deploy","context":"galaxy:far"}`, err: inv},
		{name: "order: unknown permission before forbidden", actor: "bob", args: `{"user":"carol","permission":"app.fly"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost","permission":"app.deploy"}`, err: forb},
		{name: "permission.grant is needed in that context", actor: "bob",
			given: evs(allow("bob", "permission.grant", "team:blue"), allow("bob", "app.deploy", "global")),
			args:  `{"user":"carol","permission":"app.deploy","context":"team:red"}`, err: forb},
		{name: "permission.revoke is not permission.grant", actor: "bob", given: evs(allow("bob", "permission.revoke", "global"), allow("bob", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`, err: forb},
		{name: "order: not_found before anti-escalation", actor: "bob", given: evs(granter), args: `{"user":"ghost","permission":"app.deploy"}`, err: nf},
		{name: "anti-escalation", actor: "bob", given: evs(granter), args: `{"user":"carol","permission":"app.deploy","context":"team:blue"}`, err: forb, msg: "app.deploy"},
		{name: "anti-escalation is per context", actor: "bob", given: evs(granter, allow("bob", "app.deploy", "team:blue")),
			args: `{"user":"carol","permission":"app.deploy","context":"team:red"}`, err: forb},
		{name: "anti-escalation even when already allowed", actor: "bob", given: evs(granter, allow("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`, err: forb},
		{name: "anti-escalation: a deny on the actor wins", actor: "bob",
			given: evs(granter, allow("bob", "app", "global"), deny("bob", "app.deploy", "team:blue")),
			args:  `{"user":"carol","permission":"app.deploy","context":"team:blue"}`, err: forb},
	})
}

// C14: revoke
func TestRevoke(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	revoker := allow("bob", "permission.revoke", "global")
	revoked := func(user, perm, ctx string) []events.Payload {
		return evs(events.PermissionRevoked{User: user, Permission: perm, Context: ctx})
	}
	runCases(t, "revoke", []decideCase{
		{name: "in a context", actor: "root", args: `{"user":"carol","permission":"app.deploy","context":"team:blue"}`,
			want: revoked("carol", "app.deploy", "team:blue")},
		{name: "no context means global", actor: "root", args: `{"user":"carol","permission":"app"}`, want: revoked("carol", "app", "global")},
		{name: "the self permission", actor: "root", args: `{"user":"bob","permission":"user.delete","context":"user:bob"}`,
			want: revoked("bob", "user.delete", "user:bob")},
		{name: "a revoke replaces an allow", actor: "root", given: evs(allow("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`, want: revoked("carol", "app.deploy", "global")},
		{name: "already denied is a no-op", actor: "root", given: evs(deny("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`},
		{name: "non-admin holding permission.revoke and the permission", actor: "bob", given: evs(revoker, allow("bob", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy","context":"app:web"}`, want: revoked("carol", "app.deploy", "app:web")},

		{name: "unknown permission", actor: "root", args: `{"user":"carol","permission":"nope"}`, err: inv},
		{name: "context not allowed", actor: "root", args: `{"user":"carol","permission":"user.create","context":"user:carol"}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"user":"carol","permission":"app","allow":false}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost","permission":"app"}`, err: nf},
		{name: "non-admin without permission.revoke", actor: "bob", args: `{"user":"carol","permission":"app"}`, err: forb},
		{name: "permission.grant is not permission.revoke", actor: "bob", given: evs(allow("bob", "permission.grant", "global"), allow("bob", "app", "global")),
			args: `{"user":"carol","permission":"app"}`, err: forb},
		{name: "order: invalid before forbidden", actor: "bob", args: `{"user":"carol","permission":"app","context":"app"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost","permission":"app"}`, err: forb},
		{name: "order: not_found before anti-escalation", actor: "bob", given: evs(revoker), args: `{"user":"ghost","permission":"app"}`, err: nf},
		{name: "anti-escalation", actor: "bob", given: evs(revoker), args: `{"user":"carol","permission":"app"}`, err: forb},
		{name: "anti-escalation even when already denied", actor: "bob", given: evs(revoker, deny("carol", "app", "global")),
			args: `{"user":"carol","permission":"app"}`, err: forb},
	})
}

// C14: reset needs what the opposite command would: removing an allow needs
// permission.revoke, removing a deny permission.grant, none needs either.
func TestReset(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	canGrant := evs(allow("bob", "permission.grant", "global"), allow("bob", "app.deploy", "global"))
	canRevoke := evs(allow("bob", "permission.revoke", "global"), allow("bob", "app.deploy", "global"))
	carolAllowed := allow("carol", "app.deploy", "team:blue")
	carolDenied := deny("carol", "app.deploy", "team:blue")
	args := `{"user":"carol","permission":"app.deploy","context":"team:blue"}`
	reset := evs(events.PermissionReset{User: "carol", Permission: "app.deploy", Context: "team:blue"})
	runCases(t, "reset", []decideCase{
		{name: "admin removes an allow", actor: "root", given: evs(carolAllowed), args: args, want: reset},
		{name: "admin removes a deny", actor: "root", given: evs(carolDenied), args: args, want: reset},
		{name: "a re-created user starts without overrides", actor: "root", given: evs(carolDenied, events.UserDeleted{User: "carol"}, user("carol")), args: args},
		{name: "no override is a no-op", actor: "root", args: args},
		{name: "an override in another context is another key", actor: "root", given: evs(allow("carol", "app.deploy", "global")), args: args},
		{name: "an override of a parent is another key", actor: "root", given: evs(allow("carol", "app", "team:blue")), args: args},
		{name: "no context means global", actor: "root", given: evs(deny("carol", "app.deploy", "global")),
			args: `{"user":"carol","permission":"app.deploy"}`, want: evs(events.PermissionReset{User: "carol", Permission: "app.deploy", Context: "global"})},
		{name: "removing an allow with permission.revoke", actor: "bob", given: flat(canRevoke, carolAllowed), args: args, want: reset},
		{name: "removing a deny with permission.grant", actor: "bob", given: flat(canGrant, carolDenied), args: args, want: reset},
		{name: "no override: permission.grant is enough", actor: "bob", given: canGrant, args: args},
		{name: "no override: permission.revoke is enough", actor: "bob", given: canRevoke, args: args},

		{name: "unknown permission", actor: "root", args: `{"user":"carol","permission":"app.fly"}`, err: inv},
		{name: "context not allowed", actor: "root", args: `{"user":"carol","permission":"team.create","context":"team:blue"}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost","permission":"app.deploy"}`, err: nf},
		{name: "removing an allow with only permission.grant", actor: "bob", given: flat(canGrant, carolAllowed), args: args, err: forb, msg: "permission.revoke"},
		{name: "removing a deny with only permission.revoke", actor: "bob", given: flat(canRevoke, carolDenied), args: args, err: forb, msg: "permission.grant"},
		{name: "no override, neither permission", actor: "bob", args: args, err: forb},
		{name: "order: invalid before forbidden", actor: "bob", args: `{"user":"carol","permission":"app.deploy","context":"team:"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost","permission":"app.deploy"}`, err: forb},
		{name: "order: not_found before anti-escalation", actor: "bob", given: evs(allow("bob", "permission.grant", "global")),
			args: `{"user":"ghost","permission":"app.deploy"}`, err: nf},
		{name: "anti-escalation on an allow", actor: "bob", given: evs(allow("bob", "permission.revoke", "global"), carolAllowed), args: args, err: forb, msg: "app.deploy"},
		{name: "anti-escalation on a deny", actor: "bob", given: evs(allow("bob", "permission.grant", "global"), carolDenied), args: args, err: forb},
		{name: "anti-escalation with no override", actor: "bob", given: evs(allow("bob", "permission.grant", "global")), args: args, err: forb},
	})
}
