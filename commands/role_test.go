package commands_test

import (
	"strings"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// C8
func TestRoleAdd(t *testing.T) {
	inv, forb, exists := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrAlreadyExists
	creator := allow("bob", "role.create", "global")
	runCases(t, "role-add", []decideCase{
		{name: "admin creates a team role with a description", actor: "root",
			args: `{"role":"deployer","context":"team","description":"deploys"}`,
			want: evs(events.RoleCreated{Role: "deployer", Context: "team", Description: "deploys"})},
		{name: "global role", actor: "root", args: `{"role":"reader","context":"global"}`,
			want: evs(events.RoleCreated{Role: "reader", Context: "global"})},
		{name: "name is trimmed", actor: "root", args: `{"role":"  deployer\t","context":"team"}`,
			want: evs(events.RoleCreated{Role: "deployer", Context: "team"})},
		{name: "names are case-sensitive", actor: "root", given: role("deployer", "team"),
			args: `{"role":"Deployer","context":"app"}`, want: evs(events.RoleCreated{Role: "Deployer", Context: "app"})},
		{name: "254-character name", actor: "root", args: `{"role":"` + strings.Repeat("r", 254) + `","context":"app"}`,
			want: evs(events.RoleCreated{Role: strings.Repeat("r", 254), Context: "app"})},
		{name: "admin creates an unlimited role", actor: "root", args: `{"role":"owner","context":"app","unlimited":true}`,
			want: evs(events.RoleCreated{Role: "owner", Context: "app", Unlimited: true})},
		{name: "default role in global", actor: "root", args: `{"role":"default","context":"global"}`,
			want: evs(events.RoleCreated{Role: "default", Context: "global"})},
		{name: "non-admin holding role.create", actor: "bob", given: evs(creator),
			args: `{"role":"reader","context":"team"}`, want: evs(events.RoleCreated{Role: "reader", Context: "team"})},

		{name: "empty name", actor: "root", args: `{"role":"","context":"team"}`, err: inv},
		{name: "missing name", actor: "root", args: `{"context":"team"}`, err: inv},
		{name: "whitespace-only name", actor: "root", args: `{"role":"   ","context":"team"}`, err: inv},
		{name: "whitespace inside the name", actor: "root", args: `{"role":"deploy er","context":"team"}`, err: inv, msg: "deploy er"},
		{name: "control character in the name", actor: "root", args: `{"role":"a\u0007b","context":"team"}`, err: inv},
		{name: "255-character name", actor: "root", args: `{"role":"` + strings.Repeat("r", 255) + `","context":"team"}`, err: inv},
		{name: "unknown context type", actor: "root", args: `{"role":"deployer","context":"galaxy"}`, err: inv, msg: "galaxy"},
		{name: "missing context", actor: "root", args: `{"role":"deployer"}`, err: inv},
		{name: "a context, not a context type", actor: "root", args: `{"role":"deployer","context":"team:blue"}`, err: inv},
		{name: "default role not global", actor: "root", args: `{"role":"default","context":"team"}`, err: inv},
		{name: "default role unlimited", actor: "root", args: `{"role":"default","context":"global","unlimited":true}`, err: inv},
		{name: "trimmed default role not global", actor: "root", args: `{"role":" default ","context":"app"}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"role":"r","context":"team","colour":"red"}`, err: inv},
		{name: "wrong type for unlimited", actor: "root", args: `{"role":"r","context":"team","unlimited":"yes"}`, err: inv},
		{name: "wrong type for role", actor: "root", args: `{"role":5,"context":"team"}`, err: inv},
		{name: "trailing data", actor: "root", args: `{"role":"r","context":"team"} {}`, err: inv},
		{name: "not an object", actor: "root", args: `["r","team"]`, err: inv},

		{name: "non-admin without role.create", actor: "bob", args: `{"role":"reader","context":"team"}`, err: forb, msg: "bob"},
		{name: "order: malformed name before forbidden", actor: "bob", args: `{"role":"a b","context":"team"}`, err: inv},
		{name: "order: unknown context before forbidden", actor: "bob", args: `{"role":"reader","context":"galaxy"}`, err: inv},
		{name: "order: default rules before forbidden", actor: "bob", args: `{"role":"default","context":"global","unlimited":true}`, err: inv},
		{name: "order: forbidden before already_exists", actor: "bob", given: role("deployer", "team"),
			args: `{"role":"deployer","context":"team"}`, err: forb},
		{name: "unlimited is admin-only", actor: "bob", given: evs(creator),
			args: `{"role":"owner","context":"app","unlimited":true}`, err: forb},
		{name: "unlimited is admin-only, even for a holder of AllowAll", actor: "bob", given: allowAll("bob"),
			args: `{"role":"owner","context":"app","unlimited":true}`, err: forb},
		{name: "order: unlimited forbidden before already_exists", actor: "bob", given: flat(creator, role("deployer", "team")),
			args: `{"role":"deployer","context":"app","unlimited":true}`, err: forb},
		{name: "a deny on role.create beats the role", actor: "bob",
			given: flat(role("maker", "global", "role"), assign("maker", "bob", ""), deny("bob", "role.create", "global")),
			args:  `{"role":"reader","context":"team"}`, err: forb},

		{name: "an unlimited role beats a deny (R2)", actor: "bob", given: flat(allowAll("bob"), deny("bob", "role.create", "global")),
			args: `{"role":"reader","context":"team"}`, want: evs(events.RoleCreated{Role: "reader", Context: "team"})},
		{name: "the default role gives role.create to everyone", actor: "bob", given: role("default", "global", "role.create"),
			args: `{"role":"reader","context":"team"}`, want: evs(events.RoleCreated{Role: "reader", Context: "team"})},
		{name: "a deny beats the default role", actor: "bob", given: flat(role("default", "global", "role.create"), deny("bob", "role", "global")),
			args: `{"role":"reader","context":"team"}`, err: forb},
		{name: "exists", actor: "root", given: role("deployer", "team"), args: `{"role":"deployer","context":"app"}`, err: exists, msg: "deployer"},
		{name: "exists once trimmed", actor: "root", given: role("deployer", "team"), args: `{"role":"  deployer  ","context":"team"}`, err: exists},
	})
}

// C9
func TestRoleRemove(t *testing.T) {
	inv, forb, nf, pre := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound, commands.ErrFailedPrecondition
	deployer := role("deployer", "team", "app.deploy")
	remover := allow("bob", "role.delete", "global")
	held := flat(deployer, assign("deployer", "carol", "blue"))
	runCases(t, "role-remove", []decideCase{
		{name: "unassigned role", actor: "root", given: deployer, args: `{"role":"deployer"}`,
			want: evs(events.RoleRemoved{Role: "deployer"})},
		{name: "allowed after dissociation", actor: "root",
			given: flat(held, events.RoleDissociated{Role: "deployer", User: "carol", Value: "blue"}),
			args:  `{"role":"deployer"}`, want: evs(events.RoleRemoved{Role: "deployer"})},
		{name: "allowed after its only holder is deleted", actor: "root", given: flat(held, events.UserDeleted{User: "carol"}),
			args: `{"role":"deployer"}`, want: evs(events.RoleRemoved{Role: "deployer"})},
		{name: "a role with event defaults", actor: "root", given: flat(role("reader", "global"), defaultOn("reader", "user-create")),
			args: `{"role":"reader"}`, want: evs(events.RoleRemoved{Role: "reader"})},
		{name: "the default role needs no dissociation", actor: "root", given: role("default", "global", "app.read"),
			args: `{"role":"default"}`, want: evs(events.RoleRemoved{Role: "default"})},
		{name: "non-admin holding role.delete", actor: "bob", given: flat(deployer, remover), args: `{"role":"deployer"}`,
			want: evs(events.RoleRemoved{Role: "deployer"})},

		{name: "malformed name", actor: "root", args: `{"role":"a b"}`, err: inv},
		{name: "names are not trimmed", actor: "root", given: deployer, args: `{"role":" deployer"}`, err: inv},
		{name: "missing name", actor: "root", args: `{}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"role":"deployer","force":true}`, err: inv},
		{name: "order: malformed name before forbidden", actor: "bob", args: `{"role":"a b"}`, err: inv},
		{name: "non-admin without role.delete", actor: "bob", given: deployer, args: `{"role":"deployer"}`, err: forb},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"role":"ghost"}`, err: forb},
		{name: "order: forbidden before failed_precondition", actor: "bob", given: held, args: `{"role":"deployer"}`, err: forb},
		{name: "unknown role", actor: "root", args: `{"role":"ghost"}`, err: nf, msg: "ghost"},
		{name: "unknown role, non-admin holding role.delete", actor: "bob", given: evs(remover), args: `{"role":"ghost"}`, err: nf},
		{name: "still assigned", actor: "root", given: held, args: `{"role":"deployer"}`, err: pre, msg: "deployer"},
		{name: "still assigned, non-admin holding role.delete", actor: "bob", given: flat(held, remover), args: `{"role":"deployer"}`, err: pre},
		{name: "still assigned after dissociating another pair", actor: "root",
			given: flat(held, assign("deployer", "carol", "red"), events.RoleDissociated{Role: "deployer", User: "carol", Value: "blue"}),
			args:  `{"role":"deployer"}`, err: pre},
	})
}

// C10
func TestRolePermissionAdd(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := flat(role("deployer", "team", "app.deploy"), role("reader", "global"), role("self", "user"))
	adder := allow("bob", "role.update.permission.add", "global")
	add := func(role string, perms ...string) []events.Payload {
		return evs(events.RolePermissionsAdded{Role: role, Permissions: perms})
	}
	runCases(t, "role-permission-add", []decideCase{
		{name: "adds what is missing, in order", actor: "root", given: roles,
			args: `{"role":"deployer","permissions":["app.read","app.update.env.set"]}`, want: add("deployer", "app.read", "app.update.env.set")},
		{name: "duplicates are added once", actor: "root", given: roles,
			args: `{"role":"reader","permissions":["app.read","app.read"]}`, want: add("reader", "app.read")},
		{name: "only the permissions the role lacks", actor: "root", given: roles,
			args: `{"role":"deployer","permissions":["app.deploy","app.read"]}`, want: add("deployer", "app.read")},
		{name: "already there is a no-op", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app.deploy"]}`},
		{name: "a parent allowed in the role's context", actor: "root", given: roles,
			args: `{"role":"deployer","permissions":["app"]}`, want: add("deployer", "app")},
		{name: "root permission in a global role", actor: "root", given: roles,
			args: `{"role":"reader","permissions":["*"]}`, want: add("reader", "*")},
		{name: "team.create in a global role", actor: "root", given: roles,
			args: `{"role":"reader","permissions":["team.create"]}`, want: add("reader", "team.create")},
		{name: "user permissions in a user role", actor: "root", given: roles,
			args: `{"role":"self","permissions":["user.delete","apikey.update"]}`, want: add("self", "user.delete", "apikey.update")},
		{name: "non-admin holding the permission", actor: "bob", given: flat(roles, adder),
			args: `{"role":"reader","permissions":["app.read"]}`, want: add("reader", "app.read")},

		{name: "unknown permission adds none", actor: "root", given: roles,
			args: `{"role":"reader","permissions":["app.read","app.fly"]}`, err: inv, msg: "app.fly"},
		{name: "empty permission list", actor: "root", given: roles, args: `{"role":"reader","permissions":[]}`, err: inv},
		{name: "missing permission list", actor: "root", given: roles, args: `{"role":"reader"}`, err: inv},
		{name: "permissions not a list", actor: "root", given: roles, args: `{"role":"reader","permissions":"app.read"}`, err: inv},
		{name: "malformed role name", actor: "root", args: `{"role":"a b","permissions":["app.read"]}`, err: inv},
		{name: "team.create in a team role adds none", actor: "root", given: roles,
			args: `{"role":"deployer","permissions":["app.read","team.create"]}`, err: inv, msg: "team.create"},
		{name: "root permission in a team role", actor: "root", given: roles, args: `{"role":"deployer","permissions":["*"]}`, err: inv},
		{name: "user.create in a user role", actor: "root", given: roles, args: `{"role":"self","permissions":["user.create"]}`, err: inv},
		{name: "app permission in a user role", actor: "root", given: roles, args: `{"role":"self","permissions":["app.read"]}`, err: inv},
		{name: "unknown role", actor: "root", args: `{"role":"ghost","permissions":["app.read"]}`, err: nf, msg: "ghost"},
		{name: "order: unknown permission before unknown role", actor: "root", args: `{"role":"ghost","permissions":["app.fly"]}`, err: inv},
		{name: "order: unknown role before context check", actor: "root", args: `{"role":"ghost","permissions":["team.create"]}`, err: nf},
		{name: "non-admin without the permission", actor: "bob", given: roles, args: `{"role":"reader","permissions":["app.read"]}`, err: forb},
		{name: "order: unknown permission before forbidden", actor: "bob", given: roles, args: `{"role":"reader","permissions":["app.fly"]}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"role":"ghost","permissions":["app.read"]}`, err: forb},
		{name: "order: forbidden even when already there (no-op)", actor: "bob", given: roles, args: `{"role":"deployer","permissions":["app.deploy"]}`, err: forb},
		{name: "order: forbidden before the stored-state context check", actor: "bob", given: roles,
			args: `{"role":"deployer","permissions":["team.create"]}`, err: forb},
		{name: "context check at step 4 for a permitted actor", actor: "bob", given: flat(roles, adder),
			args: `{"role":"deployer","permissions":["team.create"]}`, err: inv},
	})
}

// C11
func TestRolePermissionRemove(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := role("deployer", "team", "app", "app.deploy", "app.read")
	remove := func(perms ...string) []events.Payload {
		return evs(events.RolePermissionsRemoved{Role: "deployer", Permissions: perms})
	}
	runCases(t, "role-permission-remove", []decideCase{
		{name: "removes an exact name", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app.deploy"]}`, want: remove("app.deploy")},
		{name: "removing a parent leaves its children", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app"]}`, want: remove("app")},
		{name: "only what is there", actor: "root", given: roles,
			args: `{"role":"deployer","permissions":["app.read","app.update","app.read"]}`, want: remove("app.read")},
		{name: "absent is a no-op", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app.update"]}`},
		{name: "a child of a held parent is absent: no-op", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app.update.env.set"]}`},
		{name: "non-admin holding the permission", actor: "bob", given: flat(roles, allow("bob", "role.update.permission.remove", "global")),
			args: `{"role":"deployer","permissions":["app.read"]}`, want: remove("app.read")},

		{name: "unknown permission", actor: "root", given: roles, args: `{"role":"deployer","permissions":["app.fly"]}`, err: inv, msg: "app.fly"},
		{name: "empty list", actor: "root", given: roles, args: `{"role":"deployer","permissions":[]}`, err: inv},
		{name: "malformed role", actor: "root", args: `{"role":"","permissions":["app"]}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"role":"deployer","permission":["app"]}`, err: inv},
		{name: "unknown role", actor: "root", args: `{"role":"ghost","permissions":["app"]}`, err: nf},
		{name: "order: unknown permission before unknown role", actor: "root", args: `{"role":"ghost","permissions":["app.fly"]}`, err: inv},
		{name: "non-admin without the permission", actor: "bob", given: roles, args: `{"role":"deployer","permissions":["app"]}`, err: forb},
		{name: "order: unknown permission before forbidden", actor: "bob", given: roles, args: `{"role":"deployer","permissions":["app.fly"]}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"role":"ghost","permissions":["app"]}`, err: forb},
		{name: "order: forbidden even when absent (no-op)", actor: "bob", given: roles, args: `{"role":"deployer","permissions":["app.update"]}`, err: forb},
		{name: "holding .add is not .remove", actor: "bob", given: flat(roles, allow("bob", "role.update.permission.add", "global")),
			args: `{"role":"deployer","permissions":["app"]}`, err: forb},
	})
}

// C15
func TestRoleDefaultAdd(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := flat(role("reader", "global", "app.read"), role("deployer", "team", "app.deploy"),
		role("appdev", "app", "app.deploy"), role("default", "global", "app.read"))
	runCases(t, "role-default-add", []decideCase{
		{name: "global role on user-create", actor: "root", given: roles, args: `{"role":"reader","event":"user-create"}`,
			want: evs(events.RoleDefaultAdded{Role: "reader", Event: "user-create"})},
		{name: "team role on team-create", actor: "root", given: roles, args: `{"role":"deployer","event":"team-create"}`,
			want: evs(events.RoleDefaultAdded{Role: "deployer", Event: "team-create"})},
		{name: "already registered is a no-op", actor: "root", given: flat(roles, defaultOn("reader", "user-create")),
			args: `{"role":"reader","event":"user-create"}`},
		{name: "non-admin holding role.default.create", actor: "bob", given: flat(roles, allow("bob", "role.default.create", "global")),
			args: `{"role":"reader","event":"user-create"}`, want: evs(events.RoleDefaultAdded{Role: "reader", Event: "user-create"})},

		{name: "unknown event", actor: "root", given: roles, args: `{"role":"reader","event":"app-create"}`, err: inv, msg: "app-create"},
		{name: "missing event", actor: "root", given: roles, args: `{"role":"reader"}`, err: inv},
		{name: "global role on team-create", actor: "root", given: roles, args: `{"role":"reader","event":"team-create"}`, err: inv},
		{name: "team role on user-create", actor: "root", given: roles, args: `{"role":"deployer","event":"user-create"}`, err: inv},
		{name: "app role on team-create", actor: "root", given: roles, args: `{"role":"appdev","event":"team-create"}`, err: inv},
		{name: "the default role cannot be an event default", actor: "root", given: roles, args: `{"role":"default","event":"user-create"}`, err: inv},
		{name: "unknown role", actor: "root", args: `{"role":"ghost","event":"user-create"}`, err: nf},
		{name: "order: unknown event before unknown role", actor: "root", args: `{"role":"ghost","event":"app-create"}`, err: inv},
		{name: "non-admin without the permission", actor: "bob", given: roles, args: `{"role":"reader","event":"user-create"}`, err: forb},
		{name: "order: unknown event before forbidden", actor: "bob", given: roles, args: `{"role":"reader","event":"nope"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"role":"ghost","event":"user-create"}`, err: forb},
		{name: "order: forbidden even when already registered (no-op)", actor: "bob", given: flat(roles, defaultOn("reader", "user-create")),
			args: `{"role":"reader","event":"user-create"}`, err: forb},
		{name: "order: forbidden before the role's context check", actor: "bob", given: roles, args: `{"role":"deployer","event":"user-create"}`, err: forb},
		{name: "order: not_found before the context check", actor: "root", args: `{"role":"ghost","event":"team-create"}`, err: nf},
	})
}

// C15
func TestRoleDefaultRemove(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	roles := flat(role("reader", "global", "app.read"), defaultOn("reader", "user-create"), role("deployer", "team"))
	runCases(t, "role-default-remove", []decideCase{
		{name: "registered", actor: "root", given: roles, args: `{"role":"reader","event":"user-create"}`,
			want: evs(events.RoleDefaultRemoved{Role: "reader", Event: "user-create"})},
		{name: "not registered is a no-op", actor: "root", given: roles, args: `{"role":"deployer","event":"team-create"}`},
		{name: "another event is a no-op", actor: "root", given: roles, args: `{"role":"reader","event":"team-create"}`},
		{name: "non-admin holding role.default.delete", actor: "bob", given: flat(roles, allow("bob", "role.default.delete", "global")),
			args: `{"role":"reader","event":"user-create"}`, want: evs(events.RoleDefaultRemoved{Role: "reader", Event: "user-create"})},

		{name: "unknown event", actor: "root", given: roles, args: `{"role":"reader","event":"login"}`, err: inv},
		{name: "unknown role", actor: "root", args: `{"role":"ghost","event":"user-create"}`, err: nf},
		{name: "non-admin without the permission", actor: "bob", given: roles, args: `{"role":"reader","event":"user-create"}`, err: forb},
		{name: "holding .create is not .delete", actor: "bob", given: flat(roles, allow("bob", "role.default.create", "global")),
			args: `{"role":"reader","event":"user-create"}`, err: forb},
		{name: "order: invalid before forbidden", actor: "bob", args: `{"role":"reader","event":""}`, err: inv},
		{name: "order: forbidden even when not registered (no-op)", actor: "bob", given: roles, args: `{"role":"deployer","event":"team-create"}`, err: forb},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"role":"ghost","event":"user-create"}`, err: forb},
	})
}
