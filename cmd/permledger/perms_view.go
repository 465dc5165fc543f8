package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var permsViewUsage = usage{
	name:     "perms-view",
	synopsis: "[flags] USER",
	about: `Shows what USER holds (permledger.q.perms-view): the admin flag, each
role with the context it applies in and its permissions (one per row),
explicit allows and denies, and the default role's permissions that every
active user holds. Allowed for USER itself, admins, and holders of
user.read in user:USER.`,
	example: `permledger perms-view bob@corp.com
permledger perms-view --json bob@corp.com`,
}

func runPermsView(ctx context.Context, e *environ, args []string) error {
	return reader[api.PermsViewReply]{usage: permsViewUsage, min: 1, max: 1,
		ask: func(ctx context.Context, c *client.Client, token string, pos []string) (api.PermsViewReply, error) {
			return c.PermsView(ctx, token, pos[0])
		},
		print: func(e *environ, rep api.PermsViewReply, _ []string) error {
			printPermsView(e, rep)
			return nil
		},
	}.run(ctx, e, args)
}

func printPermsView(e *environ, rep api.PermsViewReply) {
	w := e.stdout
	fmt.Fprintf(w, "User:   %s\nStatus: %s\nAdmin:  %s\n", rep.User, rep.Status, yesNo(rep.Admin))
	if rep.Admin {
		fmt.Fprintln(w, "(an admin passes every check, R1)")
	}
	fmt.Fprintln(w, "Roles:")
	roles := newTable("Role", "Context", "Permissions", "Granted")
	for _, r := range rep.Roles {
		perms := strings.Join(r.Permissions, "\n")
		if r.Missing {
			perms = "(the role was removed)"
		}
		roles.add(r.Role, r.Context, perms, describeProv(r.Granted))
	}
	roles.write(w)
	fmt.Fprintln(w, "Overrides:")
	ovs := newTable("Permission", "Context", "Effect", "Set")
	for _, o := range rep.Overrides {
		ovs.add(o.Permission, o.Context, o.Effect, describeProv(o.Set))
	}
	ovs.write(w)
	if len(rep.Default) > 0 {
		fmt.Fprintf(w, "Default role (every active user): %s\n", strings.Join(rep.Default, ", "))
	}
}
