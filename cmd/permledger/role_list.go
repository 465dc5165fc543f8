package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var roleListUsage = usage{
	name:     "role-list",
	synopsis: "[flags]",
	about: `Lists every role (permledger.q.role-list) as tsuru does: name, context
and permissions, one permission per row. Any logged-in user may.`,
	example: `permledger role-list
permledger role-list --json`,
}

func runRoleList(ctx context.Context, e *environ, args []string) error {
	return reader[api.RoleListReply]{usage: roleListUsage, min: 0, max: 0,
		ask: func(ctx context.Context, c *client.Client, token string, _ []string) (api.RoleListReply, error) {
			return c.RoleList(ctx, token)
		},
		print: func(e *environ, rep api.RoleListReply, _ []string) error {
			t := newTable("Role", "Context", "Permissions")
			for _, r := range rep.Roles {
				t.add(r.Name, r.Context, strings.Join(rolePermissionNames(r), "\n"))
			}
			t.write(e.stdout)
			return nil
		},
	}.run(ctx, e, args)
}

func rolePermissionNames(r api.Role) []string {
	out := make([]string, 0, len(r.Permissions))
	for _, p := range r.Permissions {
		out = append(out, p.Permission)
	}
	return out
}

var roleInfoUsage = usage{
	name:     "role-info",
	synopsis: "[flags] ROLE",
	about: `Describes ROLE (permledger.q.role-info): its context, description, flags,
the events it is a default on, who created it, and each permission with
the event that added it. Any logged-in user may.`,
	example: `permledger role-info deployer`,
}

func runRoleInfo(ctx context.Context, e *environ, args []string) error {
	return reader[api.RoleInfoReply]{usage: roleInfoUsage, min: 1, max: 1,
		ask: func(ctx context.Context, c *client.Client, token string, pos []string) (api.RoleInfoReply, error) {
			return c.RoleInfo(ctx, token, pos[0])
		},
		print: func(e *environ, rep api.RoleInfoReply, _ []string) error {
			printRoleInfo(e, rep.Role)
			return nil
		},
	}.run(ctx, e, args)
}

func printRoleInfo(e *environ, r *api.Role) {
	w := e.stdout
	fmt.Fprintf(w, "Name:        %s\nContext:     %s\n", r.Name, r.Context)
	fmt.Fprintf(w, "Description: %s\n", orDash(r.Description))
	fmt.Fprintf(w, "Unlimited:   %s\n", yesNo(r.Unlimited))
	fmt.Fprintf(w, "Default on:  %s\n", orDash(strings.Join(r.Defaults, ", ")))
	fmt.Fprintf(w, "Created:     %s\n", describeProv(r.Created))
	fmt.Fprintln(w, "Permissions:")
	t := newTable("Permission", "Added")
	for _, p := range r.Permissions {
		t.add(p.Permission, describeProv(p.Added))
	}
	t.write(w)
}

// describeProv renders a provenance: "seq 7 by root@corp.com at TIME".
func describeProv(p api.Prov) string {
	s := fmt.Sprintf("seq %d", p.Seq)
	if p.Actor != "" {
		s += " by " + p.Actor
	}
	if p.Time != "" {
		s += " at " + shortTime(p.Time)
	}
	return s
}

// shortTime shows an RFC 3339 time to the second, for tables.
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
