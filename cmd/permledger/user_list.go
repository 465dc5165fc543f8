package main

import (
	"context"
	"flag"
	"strings"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var userListUsage = usage{
	name:     "user-list",
	synopsis: "[flags]",
	about: `Lists users (permledger.q.user-list; admin only) as tsuru does: each user
with its status and roles, one role per row (ROLE(VALUE) for a role of a
context type). It pages through every user unless --limit is given.`,
	example: `permledger user-list
permledger user-list --after bob@corp.com --limit 100 --json`,
}

func runUserList(ctx context.Context, e *environ, args []string) error {
	var after string
	var limit int
	return reader[api.UserListReply]{usage: userListUsage, min: 0, max: 0,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&after, "after", "", "start after this `user` name")
			fs.IntVar(&limit, "limit", 0, "at most this many `users` (0: all, page by page)")
		},
		ask: func(ctx context.Context, c *client.Client, token string, _ []string) (api.UserListReply, error) {
			return allUsers(ctx, c, token, after, limit)
		},
		print: func(e *environ, rep api.UserListReply, _ []string) error {
			t := newTable("User", "Status", "Admin", "Roles")
			for _, u := range rep.Users {
				t.add(u.Name, u.Status, yesNo(u.Admin), strings.Join(holdings(u.Roles), "\n"))
			}
			t.write(e.stdout)
			return nil
		},
	}.run(ctx, e, args)
}

// allUsers asks one page with a limit, or every page without.
func allUsers(ctx context.Context, c *client.Client, token, after string, limit int) (api.UserListReply, error) {
	if limit > 0 {
		return c.UserList(ctx, token, after, limit)
	}
	var all api.UserListReply
	for {
		page, err := c.UserList(ctx, token, after, 0)
		if err != nil {
			return all, err
		}
		all.Users, all.Seq = append(all.Users, page.Users...), page.Seq
		if page.Next == "" {
			return all, nil
		}
		after = page.Next
	}
}

func holdings(hs []api.Holding) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		if h.Value != "" {
			out = append(out, h.Role+"("+h.Value+")")
		} else {
			out = append(out, h.Role)
		}
	}
	return out
}
