package commands_test

import (
	"strings"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// C1
func TestRootUserCreate(t *testing.T) {
	inv, pre := commands.ErrInvalidArgument, commands.ErrFailedPrecondition
	const all = commands.AllowAllRole
	newRole := evs(events.RoleCreated{Role: all, Context: "global", Unlimited: true},
		events.RolePermissionsAdded{Role: all, Permissions: []string{"*"}})
	opCreated := events.UserCreated{User: "op", PasswordHash: pwHash, Status: events.StatusActive, Admin: true}
	// A complete first run for op, on an empty ledger.
	firstRun := flat(opCreated, newRole, assign(all, "op", ""))
	op := `{"user":"op","password":"pw"}`
	runCases(t, "root-user-create", []decideCase{
		{name: "empty ledger", empty: true, args: op, want: flat(opCreated, newRole, assign(all, "op", ""))},
		{name: "applies the user-create defaults", empty: true, given: flat(role("reader", "global"), defaultOn("reader", "user-create")), args: op,
			want: flat(opCreated, assign("reader", "op", ""), newRole, assign(all, "op", ""))},
		{name: "re-run appends nothing", empty: true, given: firstRun, args: op},
		{name: "re-run with another password appends nothing", empty: true, given: firstRun, args: `{"user":"op","password":"other"}`},
		{name: "re-run after a demotion restores only the flag", empty: true,
			given: flat(firstRun, events.UserAdminSet{User: "op"}), args: op, want: evs(events.UserAdminSet{User: "op", Admin: true})},
		{name: "re-run after a dissociation restores only the assignment", empty: true,
			given: flat(firstRun, events.RoleDissociated{Role: all, User: "op"}), args: op, want: evs(assign(all, "op", ""))},
		{name: "re-run after * was removed restores only the permission", empty: true,
			given: flat(firstRun, events.RolePermissionsRemoved{Role: all, Permissions: []string{"*"}}), args: op,
			want: evs(events.RolePermissionsAdded{Role: all, Permissions: []string{"*"}})},
		{name: "re-run after the role was removed", empty: true,
			given: flat(opCreated, newRole, events.RoleRemoved{Role: all}), args: op, want: flat(newRole, assign(all, "op", ""))},
		{name: "an existing non-admin", args: `{"user":"bob","password":"pw"}`,
			want: flat(events.UserAdminSet{User: "bob", Admin: true}, newRole, assign(all, "bob", ""))},
		{name: "an existing pending user", given: evs(pending("dave")), args: `{"user":"dave","password":"pw"}`,
			want: flat(events.UserApproved{User: "dave"}, events.UserAdminSet{User: "dave", Admin: true}, newRole, assign(all, "dave", ""))},
		{name: "an existing admin without the role", args: `{"user":"root","password":"pw"}`, want: flat(newRole, assign(all, "root", ""))},
		{name: "a second operator", empty: true, given: firstRun, args: `{"user":"op2","password":"pw"}`,
			want: evs(events.UserCreated{User: "op2", PasswordHash: pwHash, Status: events.StatusActive, Admin: true}, assign(all, "op2", ""))},
		{name: "AllowAll with more permissions is kept", empty: true, given: flat(firstRun, events.RolePermissionsAdded{Role: all, Permissions: []string{"app"}}), args: op},

		{name: "AllowAll exists in another context", given: unlimited(all, "app", "app"), args: op, err: pre, msg: all},
		{name: "AllowAll exists but is not unlimited", given: role(all, "global", "*"), args: op, err: pre},
		{name: "malformed name", empty: true, args: `{"user":"o p","password":"pw"}`, err: inv},
		{name: "73-byte password", empty: true, args: `{"user":"op","password":"` + strings.Repeat("p", 73) + `"}`, err: inv},
		{name: "73-byte password on a re-run", empty: true, given: firstRun, args: `{"user":"op","password":"` + strings.Repeat("p", 73) + `"}`, err: inv},
		{name: "empty password", empty: true, args: `{"user":"op","password":""}`, err: inv},
		{name: "unknown field", empty: true, args: `{"user":"op","password":"pw","admin":true}`, err: inv},
	})
}

// C1: "appends only what is missing". When AllowAll is itself a user-create
// default, the new user must get it once.
func TestRootUserCreateAllowAllAsDefault(t *testing.T) {
	given := flat(unlimited(commands.AllowAllRole, "global", "*"), defaultOn(commands.AllowAllRole, "user-create"))
	out, err := decide(t, newState(t, given...), "", "root-user-create", `{"user":"op","password":"pw"}`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range out.Events {
		if a, ok := e.(events.RoleAssigned); ok && a.Role == commands.AllowAllRole {
			n++
		}
	}
	if got, want := n, 1; got != want {
		t.Errorf("role.assigned AllowAll appended %d times, want %d:%s", got, want, show(out.Events))
	}
}

// C1: no token is returned; log in.
func TestRootUserCreateReturnsNoToken(t *testing.T) {
	out, err := decide(t, newState(t), "", "root-user-create", `{"user":"op","password":"pw"}`)
	if err != nil {
		t.Fatal(err)
	}
	if out.Token != "" {
		t.Errorf("token = %q, want none", out.Token)
	}
	for _, e := range out.Events {
		if e.EventType() == events.TypeTokenIssued {
			t.Errorf("root-user-create issued a token: %+v", e)
		}
	}
}
