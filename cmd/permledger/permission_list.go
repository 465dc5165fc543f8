package main

import (
	"context"
	"strings"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var permissionListUsage = usage{
	name:     "permission-list",
	synopsis: "[flags]",
	about: `Lists the permission tree in force (permledger.q.permission-list): each
permission and the contexts it may be held in. A permission covers its
children ("app" covers "app.deploy"); "*" is the root. Any logged-in user
may.`,
	example: `permledger permission-list
permledger permission-list --json`,
}

func runPermissionList(ctx context.Context, e *environ, args []string) error {
	return reader[api.PermissionListReply]{usage: permissionListUsage, min: 0, max: 0,
		ask: func(ctx context.Context, c *client.Client, token string, _ []string) (api.PermissionListReply, error) {
			return c.PermissionList(ctx, token)
		},
		print: func(e *environ, rep api.PermissionListReply, _ []string) error {
			t := newTable("Name", "Contexts")
			for _, p := range rep.Permissions {
				t.add(p.Name, strings.Join(p.Contexts, ", "))
			}
			t.write(e.stdout)
			return nil
		},
	}.run(ctx, e, args)
}
