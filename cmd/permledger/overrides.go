package main

import (
	"context"
	"fmt"
)

// override runs grant, revoke and reset.
func override(name, verb string, u usage) func(context.Context, *environ, []string) error {
	return func(ctx context.Context, e *environ, args []string) error {
		return submitter{usage: u, min: 2, max: 3,
			build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
				args := map[string]any{"user": pos[0], "permission": pos[1]}
				where := "global"
				if len(pos) == 3 {
					args["context"], where = pos[2], pos[2]
				}
				return submitted{name: name, args: args, done: fmt.Sprintf("%s %s %s in %s", pos[1], verb, pos[0], where)}, nil
			}}.run(ctx, e, args)
	}
}

var grantUsage = usage{
	name:     "grant",
	synopsis: "[flags] USER PERMISSION [CONTEXT]",
	about: `Sets an explicit allow of PERMISSION for USER in CONTEXT (TYPE:VALUE;
default global) (C14). You must pass the check yourself there. Needs
permission.grant in that context.`,
	example: `permledger grant bob@corp.com app.deploy app:web`,
}

var revokeUsage = usage{
	name:     "revoke",
	synopsis: "[flags] USER PERMISSION [CONTEXT]",
	about: `Sets an explicit deny of PERMISSION for USER in CONTEXT (default global)
(C14): it beats every role except an unlimited one (R3). Needs
permission.revoke in that context.`,
	example: `permledger revoke bob@corp.com app.deploy app:web`,
}

var resetUsage = usage{
	name:     "reset",
	synopsis: "[flags] USER PERMISSION [CONTEXT]",
	about: `Removes USER's explicit allow or deny of PERMISSION in CONTEXT (default
global) (C14). Needs what the opposite command would.`,
	example: `permledger reset bob@corp.com app.deploy app:web`,
}
