package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
)

var roleAddUsage = usage{
	name:     "role-add",
	synopsis: "[flags] ROLE CONTEXT",
	about: `Creates ROLE (C8) whose permissions are held in CONTEXT: global, or a
context type (app, team, user, pool, ...), given a value when assigned.
--unlimited (admin only) makes the role win over explicit denies (R2).
Needs role.create.`,
	example: `permledger role-add deployer team --description "deploys the team's apps"`,
}

func runRoleAdd(ctx context.Context, e *environ, args []string) error {
	var desc string
	var unlimited bool
	return submitter{usage: roleAddUsage, min: 2, max: 2,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&desc, "description", "", "what the role is for")
			fs.BoolVar(&unlimited, "unlimited", false, "the role wins over explicit denies (admin only)")
		},
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			return submitted{name: "role-add", args: map[string]any{"role": pos[0], "context": pos[1], "description": desc,
				"unlimited": unlimited}, done: fmt.Sprintf("role %s added in context %s", pos[0], pos[1])}, nil
		}}.run(ctx, e, args)
}

var roleRemoveUsage = usage{
	name:     "role-remove",
	synopsis: "[flags] ROLE",
	about: `Removes ROLE (C9), which nobody may hold any more (role-dissociate first;
else failed_precondition). Needs role.delete.`,
	example: `permledger role-remove deployer`,
}

func runRoleRemove(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: roleRemoveUsage, min: 1, max: 1,
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			return submitted{name: "role-remove", args: map[string]any{"role": pos[0]}, done: "role " + pos[0] + " removed"}, nil
		}}.run(ctx, e, args)
}

// rolePermissions runs role-permission-add and -remove.
func rolePermissions(name, verb string, u usage) func(context.Context, *environ, []string) error {
	return func(ctx context.Context, e *environ, args []string) error {
		return submitter{usage: u, min: 2, max: -1,
			build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
				return submitted{name: name, args: map[string]any{"role": pos[0], "permissions": pos[1:]},
					done: fmt.Sprintf("role %s: %s %s", pos[0], verb, strings.Join(pos[1:], ", "))}, nil
			}}.run(ctx, e, args)
	}
}

var rolePermissionAddUsage = usage{
	name:     "role-permission-add",
	synopsis: "[flags] ROLE PERMISSION...",
	about: `Adds permissions to ROLE (C10), all or none: an unknown permission, or one
not allowed in the role's context, adds nothing. Every holder of the role
gains them at once. Needs role.update.permission.add.`,
	example: `permledger role-permission-add deployer app.deploy app.read`,
}

var rolePermissionRemoveUsage = usage{
	name:     "role-permission-remove",
	synopsis: "[flags] ROLE PERMISSION...",
	about: `Removes exactly the named permissions from ROLE (C11): removing a parent
leaves its children. Needs role.update.permission.remove.`,
	example: `permledger role-permission-remove deployer app.read`,
}

// assignment runs role-assign and role-dissociate.
func assignment(name, verb string, u usage) func(context.Context, *environ, []string) error {
	return func(ctx context.Context, e *environ, args []string) error {
		return submitter{usage: u, min: 2, max: 3,
			build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
				args := map[string]any{"role": pos[0], "user": pos[1]}
				done := fmt.Sprintf("role %s %s %s", pos[0], verb, pos[1])
				if len(pos) == 3 {
					args["value"] = pos[2]
					done = fmt.Sprintf("role %s(%s) %s %s", pos[0], pos[2], verb, pos[1])
				}
				return submitted{name: name, args: args, done: done}, nil
			}}.run(ctx, e, args)
	}
}

var roleAssignUsage = usage{
	name:     "role-assign",
	synopsis: "[flags] ROLE USER [VALUE]",
	about: `Assigns ROLE to USER (C12), with VALUE for a role of a context type
(the team, app, ... it applies to; none for a global role). You must hold
every permission of the role there yourself. Needs role.update.assign.`,
	example: `permledger role-assign deployer bob@corp.com blue
permledger role-assign auditor bob@corp.com`,
}

var roleDissociateUsage = usage{
	name:     "role-dissociate",
	synopsis: "[flags] ROLE USER [VALUE]",
	about: `Takes exactly (ROLE, VALUE) from USER (C13). As with role-assign, you must
hold the role's permissions there. Needs role.update.dissociate.`,
	example: `permledger role-dissociate deployer bob@corp.com blue`,
}

// roleDefault runs role-default-add and -remove.
func roleDefault(name, verb string, u usage) func(context.Context, *environ, []string) error {
	return func(ctx context.Context, e *environ, args []string) error {
		return submitter{usage: u, min: 2, max: 2,
			build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
				return submitted{name: name, args: map[string]any{"role": pos[0], "event": pos[1]},
					done: fmt.Sprintf("role %s %s %s", pos[0], verb, pos[1])}, nil
			}}.run(ctx, e, args)
	}
}

var roleDefaultAddUsage = usage{
	name:     "role-default-add",
	synopsis: "[flags] ROLE user-create|team-create",
	about: `Makes ROLE a default (C15): given to every user created from now on
(user-create; a global role), or to the creator of every new team for that
team (team-create; a team role). Never retroactive. Needs
role.default.create.`,
	example: `permledger role-default-add team-member team-create`,
}

var roleDefaultRemoveUsage = usage{
	name:     "role-default-remove",
	synopsis: "[flags] ROLE user-create|team-create",
	about: `Stops giving ROLE on the event (C15); takes nothing back. Needs
role.default.delete.`,
	example: `permledger role-default-remove team-member team-create`,
}
