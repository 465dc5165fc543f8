package commands_test

import (
	"strings"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

func created(name string) events.Payload {
	return events.UserCreated{User: name, PasswordHash: pwHash, Status: events.StatusActive}
}

// C3
func TestUserCreate(t *testing.T) {
	inv, forb, exists := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrAlreadyExists
	creator := allow("bob", "user.create", "global")
	defaults := flat(role("reader", "global", "app.read"), defaultOn("reader", "user-create"),
		role("alpha", "global"), defaultOn("alpha", "user-create"),
		role("deployer", "team", "app.deploy"), defaultOn("deployer", "team-create"),
		role("default", "global", "app.read"))
	pw := func(p string) string { return `{"user":"dave","password":` + js(p) + `}` }
	runCases(t, "user-create", []decideCase{
		{name: "admin creates an active user", actor: "root", args: pw("pw"), want: evs(created("dave"))},
		{name: "user-create defaults, by name", actor: "root", given: defaults, args: pw("pw"),
			want: evs(created("dave"), assign("alpha", "dave", ""), assign("reader", "dave", ""))},
		{name: "a removed role's default registration goes with it", actor: "root",
			given: flat(role("reader", "global"), defaultOn("reader", "user-create"), events.RoleRemoved{Role: "reader"}, role("reader", "global")),
			args:  pw("pw"), want: evs(created("dave"))},
		{name: "an email name", actor: "root", args: `{"user":"dave@corp.com","password":"pw"}`, want: evs(created("dave@corp.com"))},
		{name: "names are case-sensitive", actor: "root", args: `{"user":"Bob","password":"pw"}`, want: evs(created("Bob"))},
		{name: "a deleted user's name starts again", actor: "root", given: evs(events.UserDeleted{User: "bob"}),
			args: `{"user":"bob","password":"pw"}`, want: evs(created("bob"))},
		{name: "72-byte password", actor: "root", args: pw(strings.Repeat("p", 72)), want: evs(created("dave"))},
		{name: "36 two-byte characters are 72 bytes", actor: "root", args: pw(strings.Repeat("é", 36)), want: evs(created("dave"))},
		{name: "non-admin holding user.create", actor: "bob", given: evs(creator), args: pw("pw"), want: evs(created("dave"))},

		{name: "empty password", actor: "root", args: pw(""), err: inv},
		{name: "missing password", actor: "root", args: `{"user":"dave"}`, err: inv},
		{name: "73-byte password", actor: "root", args: pw(strings.Repeat("p", 73)), err: inv, msg: "73"},
		{name: "37 two-byte characters are 74 bytes", actor: "root", args: pw(strings.Repeat("é", 37)), err: inv},
		{name: "name with whitespace", actor: "root", args: `{"user":"da ve","password":"pw"}`, err: inv},
		{name: "names are not trimmed", actor: "root", args: `{"user":" dave","password":"pw"}`, err: inv},
		{name: "255-character name", actor: "root", args: `{"user":"` + strings.Repeat("d", 255) + `","password":"pw"}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"user":"dave","password":"pw","admin":true}`, err: inv},
		{name: "password of the wrong type", actor: "root", args: `{"user":"dave","password":123}`, err: inv},
		{name: "non-admin without user.create", actor: "bob", args: pw("pw"), err: forb},
		{name: "the self permission does not give user.create", actor: "bob", given: evs(allow("bob", "user", "user:bob")), args: pw("pw"), err: forb},
		{name: "order: bad password before forbidden", actor: "bob", args: pw(strings.Repeat("p", 73)), err: inv},
		{name: "order: forbidden before already_exists", actor: "bob", args: `{"user":"carol","password":"pw"}`, err: forb},
		{name: "exists", actor: "root", args: `{"user":"carol","password":"pw"}`, err: exists, msg: "carol"},
		{name: "a pending user exists", actor: "root", given: evs(pending("dave")), args: pw("pw"), err: exists},
		{name: "exists, non-admin holding user.create", actor: "bob", given: evs(creator), args: `{"user":"carol","password":"pw"}`, err: exists},
	})
}

// C4
func TestUserApprove(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	runCases(t, "user-approve", []decideCase{
		{name: "pending becomes active", actor: "root", given: evs(pending("dave")), args: `{"user":"dave"}`,
			want: evs(events.UserApproved{User: "dave"})},
		{name: "already active is a no-op", actor: "root", args: `{"user":"carol"}`},
		{name: "malformed user", actor: "root", args: `{"user":"da ve"}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"user":"dave","why":"x"}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost"}`, err: nf, msg: "ghost"},
		{name: "non-admin", actor: "bob", given: evs(pending("dave")), args: `{"user":"dave"}`, err: forb},
		{name: "AllowAll without the admin flag", actor: "bob", given: flat(pending("dave"), allowAll("bob")), args: `{"user":"dave"}`, err: forb},
		{name: "order: malformed before forbidden", actor: "bob", args: `{"user":""}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost"}`, err: forb},
		{name: "order: forbidden even for a no-op", actor: "bob", args: `{"user":"carol"}`, err: forb},
	})
}

// C5
func TestUserDelete(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	deleted := func(u string) []events.Payload { return evs(events.UserDeleted{User: u}) }
	runCases(t, "user-delete", []decideCase{
		{name: "admin deletes a user", actor: "root", args: `{"user":"carol"}`, want: deleted("carol")},
		{name: "admin deletes a pending user", actor: "root", given: evs(pending("dave")), args: `{"user":"dave"}`, want: deleted("dave")},
		{name: "a user deletes itself (R9)", actor: "bob", args: `{"user":"bob"}`, want: deleted("bob")},
		{name: "user.delete in user:<user>", actor: "bob", given: evs(allow("bob", "user.delete", "user:carol")), args: `{"user":"carol"}`, want: deleted("carol")},
		{name: "user.delete globally", actor: "bob", given: evs(allow("bob", "user.delete", "global")), args: `{"user":"carol"}`, want: deleted("carol")},
		{name: "a deny elsewhere does not matter", actor: "bob", given: evs(deny("bob", "user.delete", "user:carol")), args: `{"user":"bob"}`, want: deleted("bob")},

		{name: "malformed user", actor: "root", args: `{"user":"a\tb"}`, err: inv},
		{name: "missing user", actor: "root", args: `{}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost"}`, err: nf, msg: "ghost"},
		{name: "another user", actor: "bob", args: `{"user":"carol"}`, err: forb},
		{name: "user.delete in another user's context", actor: "bob", given: evs(allow("bob", "user.delete", "user:dave")), args: `{"user":"carol"}`, err: forb},
		{name: "self denied by a revoke", actor: "bob", given: evs(deny("bob", "user.delete", "user:bob")), args: `{"user":"bob"}`, err: forb},
		{name: "self denied by a global revoke", actor: "bob", given: evs(deny("bob", "user.delete", "global")), args: `{"user":"bob"}`, err: forb},
		{name: "self denied by a revoke of the parent", actor: "bob", given: evs(deny("bob", "user", "user:bob")), args: `{"user":"bob"}`, err: forb},
		{name: "order: malformed before forbidden", actor: "bob", args: `{"user":"a b"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost"}`, err: forb},
		{name: "unknown user, actor holding user.delete globally", actor: "bob", given: evs(allow("bob", "user.delete", "global")), args: `{"user":"ghost"}`, err: nf},
	})
}

// C6
func TestAdminSet(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	runCases(t, "admin-set", []decideCase{
		{name: "promote", actor: "root", args: `{"user":"bob","admin":true}`, want: evs(events.UserAdminSet{User: "bob", Admin: true})},
		{name: "demote another admin", actor: "root", given: evs(events.UserAdminSet{User: "bob", Admin: true}),
			args: `{"user":"bob","admin":false}`, want: evs(events.UserAdminSet{User: "bob"})},
		{name: "demoting the last admin is allowed", actor: "root", args: `{"user":"root","admin":false}`, want: evs(events.UserAdminSet{User: "root"})},
		{name: "already set is a no-op", actor: "root", args: `{"user":"root","admin":true}`},
		{name: "already clear is a no-op", actor: "root", args: `{"user":"bob","admin":false}`},

		{name: "missing admin", actor: "root", args: `{"user":"bob"}`, err: inv},
		{name: "null admin", actor: "root", args: `{"user":"bob","admin":null}`, err: inv},
		{name: "admin of the wrong type", actor: "root", args: `{"user":"bob","admin":"true"}`, err: inv},
		{name: "malformed user", actor: "root", args: `{"user":"","admin":true}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost","admin":true}`, err: nf},
		{name: "non-admin", actor: "bob", args: `{"user":"carol","admin":true}`, err: forb},
		{name: "non-admin, even for its own current value", actor: "bob", args: `{"user":"bob","admin":false}`, err: forb},
		{name: "non-admin promoting itself", actor: "bob", args: `{"user":"bob","admin":true}`, err: forb},
		{name: "AllowAll without the admin flag", actor: "bob", given: allowAll("bob"), args: `{"user":"carol","admin":true}`, err: forb},
		{name: "order: missing admin before forbidden", actor: "bob", args: `{"user":"bob"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost","admin":true}`, err: forb},
	})
}

// C7
func TestTeamCreate(t *testing.T) {
	inv, forb, exists := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrAlreadyExists
	defaults := flat(role("member", "team", "app", "team"), defaultOn("member", "team-create"),
		role("auditor", "team", "app.read"), defaultOn("auditor", "team-create"),
		role("reader", "global"), defaultOn("reader", "user-create"))
	creator := allow("bob", "team.create", "global")
	runCases(t, "team-create", []decideCase{
		{name: "admin creates a team", actor: "root", args: `{"team":"red"}`, want: evs(team("red"))},
		{name: "the actor gets the team-create defaults with value = team", actor: "root", given: defaults, args: `{"team":"red"}`,
			want: evs(team("red"), assign("auditor", "root", "red"), assign("member", "root", "red"))},
		{name: "non-admin holding team.create gets the defaults", actor: "bob", given: flat(defaults, creator), args: `{"team":"red"}`,
			want: evs(team("red"), assign("auditor", "bob", "red"), assign("member", "bob", "red"))},
		{name: "team.create through a global role", actor: "bob", given: flat(role("creator", "global", "team.create"), assign("creator", "bob", "")),
			args: `{"team":"red"}`, want: evs(team("red"))},

		{name: "malformed name", actor: "root", args: `{"team":"r d"}`, err: inv},
		{name: "empty name", actor: "root", args: `{"team":""}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"team":"red","owner":"bob"}`, err: inv},
		{name: "exists", actor: "root", args: `{"team":"blue"}`, err: exists, msg: "blue"},
		{name: "non-admin without team.create", actor: "bob", args: `{"team":"red"}`, err: forb},
		{name: "a team-level team permission is not team.create", actor: "bob", given: evs(allow("bob", "team", "team:red")), args: `{"team":"red"}`, err: forb},
		{name: "order: malformed before forbidden", actor: "bob", args: `{"team":"r d"}`, err: inv},
		{name: "order: forbidden before already_exists", actor: "bob", args: `{"team":"blue"}`, err: forb},
		{name: "exists, non-admin holding team.create", actor: "bob", given: evs(creator), args: `{"team":"blue"}`, err: exists},
	})
}
