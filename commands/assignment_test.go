package commands_test

import (
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// roleFixtures: deployer (team: app.deploy), reader (global: app.read),
// appdev (app: app.deploy), empty (team, no permissions), owner (app,
// unlimited), AllowAll (global, *, unlimited), default (global: app.read),
// and team red.
func roleFixtures() []events.Payload {
	return flat(team("red"),
		role("deployer", "team", "app.deploy"), role("reader", "global", "app.read"),
		role("appdev", "app", "app.deploy"), role("empty", "team"),
		unlimited("owner", "app", "app"), unlimited(commands.AllowAllRole, "global", "*"),
		role("default", "global", "app.read"))
}

// C12
func TestRoleAssign(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := roleFixtures()
	assigner := flat(roles, allow("bob", "role.update.assign", "global")) // bob may assign, holds nothing else
	assigned := func(role, user, value string) []events.Payload { return evs(assign(role, user, value)) }
	runCases(t, "role-assign", []decideCase{
		{name: "team role with a team value", actor: "root", given: roles,
			args: `{"role":"deployer","user":"carol","value":"blue"}`, want: assigned("deployer", "carol", "blue")},
		{name: "global role without a value", actor: "root", given: roles,
			args: `{"role":"reader","user":"carol"}`, want: assigned("reader", "carol", "")},
		{name: "global role with an empty value", actor: "root", given: roles,
			args: `{"role":"reader","user":"carol","value":""}`, want: assigned("reader", "carol", "")},
		{name: "app values are opaque", actor: "root", given: roles,
			args: `{"role":"appdev","user":"carol","value":"web"}`, want: assigned("appdev", "carol", "web")},
		{name: "admin assigns an unlimited role", actor: "root", given: roles,
			args: `{"role":"owner","user":"carol","value":"web"}`, want: assigned("owner", "carol", "web")},
		{name: "admin assigns AllowAll", actor: "root", given: roles,
			args: `{"role":"AllowAll","user":"carol"}`, want: assigned("AllowAll", "carol", "")},
		{name: "the same role with another value", actor: "root", given: flat(roles, assign("deployer", "carol", "blue")),
			args: `{"role":"deployer","user":"carol","value":"red"}`, want: assigned("deployer", "carol", "red")},
		{name: "a re-created user starts without assignments", actor: "root",
			given: flat(roles, assign("deployer", "carol", "blue"), events.UserDeleted{User: "carol"}, user("carol")),
			args:  `{"role":"deployer","user":"carol","value":"blue"}`, want: assigned("deployer", "carol", "blue")},
		{name: "already held is a no-op", actor: "root", given: flat(roles, assign("deployer", "carol", "blue")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`},
		{name: "anti-escalation passes through a held role", actor: "bob", given: flat(assigner, assign("deployer", "bob", "blue")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, want: assigned("deployer", "carol", "blue")},
		{name: "anti-escalation passes through an allow override", actor: "bob", given: flat(assigner, allow("bob", "app.deploy", "team:blue")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, want: assigned("deployer", "carol", "blue")},
		{name: "anti-escalation passes through a parent", actor: "bob", given: flat(assigner, allow("bob", "app", "global")),
			args: `{"role":"deployer","user":"carol","value":"red"}`, want: assigned("deployer", "carol", "red")},
		{name: "a role without permissions needs nothing", actor: "bob", given: assigner,
			args: `{"role":"empty","user":"carol","value":"blue"}`, want: assigned("empty", "carol", "blue")},
		{name: "a holder of AllowAll passes anti-escalation", actor: "bob", given: flat(roles, assign("AllowAll", "bob", "")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, want: assigned("deployer", "carol", "blue")},

		{name: "malformed role", actor: "root", given: roles, args: `{"role":"","user":"carol"}`, err: inv},
		{name: "malformed user", actor: "root", given: roles, args: `{"role":"reader","user":"car ol"}`, err: inv},
		{name: "malformed value", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","value":"bl ue"}`, err: inv},
		{name: "value of the wrong type", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","value":7}`, err: inv},
		{name: "unknown field", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","context":"team:blue"}`, err: inv},
		{name: "global role with a value", actor: "root", given: roles, args: `{"role":"reader","user":"carol","value":"blue"}`, err: inv, msg: "blue"},
		{name: "team role without a value", actor: "root", given: roles, args: `{"role":"deployer","user":"carol"}`, err: inv, msg: "deployer"},
		{name: "the default role cannot be assigned", actor: "root", given: roles, args: `{"role":"default","user":"carol"}`, err: inv},
		{name: "unknown role", actor: "root", given: roles, args: `{"role":"ghost","user":"carol","value":"blue"}`, err: nf, msg: "ghost"},
		{name: "unknown user", actor: "root", given: roles, args: `{"role":"deployer","user":"ghost","value":"blue"}`, err: nf, msg: "ghost"},
		{name: "deleted user", actor: "root", given: flat(roles, events.UserDeleted{User: "carol"}),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, err: nf},
		{name: "unknown team", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","value":"green"}`, err: nf, msg: "green"},
		{name: "order: unknown user before the value rules", actor: "root", given: roles, args: `{"role":"deployer","user":"ghost"}`, err: nf},

		{name: "non-admin without role.update.assign", actor: "bob", given: roles, args: `{"role":"deployer","user":"carol","value":"blue"}`, err: forb},
		{name: "order: malformed value before forbidden", actor: "bob", given: roles, args: `{"role":"deployer","user":"carol","value":"a b"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", given: roles, args: `{"role":"ghost","user":"carol","value":"blue"}`, err: forb},
		{name: "order: forbidden before the stored-state value rules", actor: "bob", given: roles, args: `{"role":"reader","user":"carol","value":"blue"}`, err: forb},
		{name: "order: forbidden before the default-role rule", actor: "bob", given: roles, args: `{"role":"default","user":"carol"}`, err: forb},
		{name: "unlimited role is admin-only", actor: "bob", given: flat(assigner, assign("owner", "bob", "web")),
			args: `{"role":"owner","user":"carol","value":"web"}`, err: forb},
		{name: "unlimited role is admin-only for a holder of AllowAll", actor: "bob", given: flat(roles, assign("AllowAll", "bob", "")),
			args: `{"role":"AllowAll","user":"carol"}`, err: forb},
		{name: "order: unlimited admin-only before not_found", actor: "bob", given: assigner, args: `{"role":"owner","user":"ghost","value":"web"}`, err: forb},
		{name: "order: not_found before anti-escalation (role)", actor: "bob", given: assigner, args: `{"role":"ghost","user":"carol","value":"blue"}`, err: nf},
		{name: "order: not_found before anti-escalation (user)", actor: "bob", given: assigner, args: `{"role":"deployer","user":"ghost","value":"blue"}`, err: nf},
		{name: "order: not_found before anti-escalation (team)", actor: "bob", given: assigner, args: `{"role":"deployer","user":"carol","value":"green"}`, err: nf},
		{name: "order: value rules before anti-escalation", actor: "bob", given: assigner, args: `{"role":"reader","user":"carol","value":"blue"}`, err: inv},
		{name: "anti-escalation", actor: "bob", given: assigner, args: `{"role":"deployer","user":"carol","value":"blue"}`, err: forb, msg: "app.deploy"},
		{name: "anti-escalation is per context", actor: "bob", given: flat(assigner, assign("deployer", "bob", "blue")),
			args: `{"role":"deployer","user":"carol","value":"red"}`, err: forb},
		{name: "anti-escalation even when already held", actor: "bob", given: flat(assigner, assign("deployer", "carol", "blue")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, err: forb},
		{name: "anti-escalation: a deny beats the actor's role", actor: "bob",
			given: flat(assigner, assign("deployer", "bob", "blue"), deny("bob", "app.deploy", "team:blue")),
			args:  `{"role":"deployer","user":"carol","value":"blue"}`, err: forb},
		{name: "anti-escalation: a child does not grant its parent", actor: "bob",
			given: flat(assigner, role("lead", "team", "app"), allow("bob", "app.deploy", "global")),
			args:  `{"role":"lead","user":"carol","value":"blue"}`, err: forb, msg: "app"},
	})
}

// C13
func TestRoleDissociate(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := flat(roleFixtures(), assign("deployer", "carol", "blue"), assign("deployer", "carol", "red"),
		assign("reader", "carol", ""), assign("owner", "carol", "web"))
	dissociator := flat(roles, allow("bob", "role.update.dissociate", "global"))
	dissociated := func(role, value string) []events.Payload {
		return evs(events.RoleDissociated{Role: role, User: "carol", Value: value})
	}
	runCases(t, "role-dissociate", []decideCase{
		{name: "removes exactly the pair", actor: "root", given: roles,
			args: `{"role":"deployer","user":"carol","value":"red"}`, want: dissociated("deployer", "red")},
		{name: "global role", actor: "root", given: roles, args: `{"role":"reader","user":"carol"}`, want: dissociated("reader", "")},
		{name: "admin dissociates an unlimited role", actor: "root", given: roles,
			args: `{"role":"owner","user":"carol","value":"web"}`, want: dissociated("owner", "web")},
		{name: "a pair not held is a no-op", actor: "root", given: roles, args: `{"role":"appdev","user":"carol","value":"web"}`},
		{name: "another value is a no-op", actor: "root", given: roles, args: `{"role":"owner","user":"carol","value":"api"}`},
		{name: "a team value need not exist (no-op)", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","value":"green"}`},
		{name: "non-admin holding the permission and the role's", actor: "bob", given: flat(dissociator, allow("bob", "app.deploy", "team:blue")),
			args: `{"role":"deployer","user":"carol","value":"blue"}`, want: dissociated("deployer", "blue")},

		{name: "malformed value", actor: "root", given: roles, args: `{"role":"deployer","user":"carol","value":"\n"}`, err: inv},
		{name: "global role with a value", actor: "root", given: roles, args: `{"role":"reader","user":"carol","value":"blue"}`, err: inv},
		{name: "team role without a value", actor: "root", given: roles, args: `{"role":"deployer","user":"carol"}`, err: inv},
		{name: "the default role", actor: "root", given: roles, args: `{"role":"default","user":"carol"}`, err: inv},
		{name: "unknown role", actor: "root", given: roles, args: `{"role":"ghost","user":"carol"}`, err: nf},
		{name: "unknown user", actor: "root", given: roles, args: `{"role":"reader","user":"ghost"}`, err: nf},
		{name: "non-admin without role.update.dissociate", actor: "bob", given: roles, args: `{"role":"reader","user":"carol"}`, err: forb},
		{name: "holding .assign is not .dissociate", actor: "bob", given: flat(roles, allow("bob", "role.update.assign", "global"), allow("bob", "app.read", "global")),
			args: `{"role":"reader","user":"carol"}`, err: forb},
		{name: "order: malformed before forbidden", actor: "bob", given: roles, args: `{"role":"reader","user":""}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", given: roles, args: `{"role":"ghost","user":"carol"}`, err: forb},
		{name: "unlimited role is admin-only", actor: "bob", given: flat(dissociator, assign("owner", "bob", "web")),
			args: `{"role":"owner","user":"carol","value":"web"}`, err: forb},
		{name: "order: not_found before anti-escalation", actor: "bob", given: dissociator, args: `{"role":"deployer","user":"ghost","value":"blue"}`, err: nf},
		{name: "order: value rules before anti-escalation", actor: "bob", given: dissociator, args: `{"role":"deployer","user":"carol"}`, err: inv},
		{name: "anti-escalation when held", actor: "bob", given: dissociator, args: `{"role":"deployer","user":"carol","value":"blue"}`, err: forb},
		{name: "anti-escalation when not held", actor: "bob", given: dissociator, args: `{"role":"appdev","user":"carol","value":"web"}`, err: forb},
		{name: "anti-escalation is per context", actor: "bob", given: flat(dissociator, allow("bob", "app.deploy", "team:blue")),
			args: `{"role":"deployer","user":"carol","value":"red"}`, err: forb},
	})
}
