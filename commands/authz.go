package commands

import (
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/readmodel"
)

// requirePermission is step 3: the actor must pass check for perm in ctx.
func requirePermission(st State, actor *readmodel.User, perm string, ctx catalog.Context) error {
	d, err := st.Check(actor.Name, perm, []catalog.Context{ctx})
	if err != nil {
		return err
	}
	if !d.Allowed {
		return forbidden("%s may not %s in %s", actor.Name, perm, ctx)
	}
	return nil
}

// requireAdmin is step 3 for admin-only commands: the admin flag (R1), not
// an unlimited role.
func requireAdmin(actor *readmodel.User, what string) error {
	if actor == nil || !actor.Admin {
		name := "anonymous"
		if actor != nil {
			name = actor.Name
		}
		return forbidden("%s is admin-only and %s is not an admin", what, name)
	}
	return nil
}

// requireHolds is step 5 (anti-escalation): the actor must itself pass check
// for every permission in ctx.
func requireHolds(st State, actor *readmodel.User, perms []string, ctx catalog.Context) error {
	for _, p := range perms {
		d, err := st.Check(actor.Name, p, []catalog.Context{ctx})
		if err != nil {
			return err
		}
		if !d.Allowed {
			return forbidden("%s does not itself hold %s in %s", actor.Name, p, ctx)
		}
	}
	return nil
}

func validName(kind, s string) error {
	if err := catalog.ValidateName(kind, s); err != nil {
		return invalid("%v", err)
	}
	return nil
}

// validPermissions checks that every name is in the catalog, and dedupes.
func validPermissions(cat *catalog.Catalog, perms []string) ([]string, error) {
	if len(perms) == 0 {
		return nil, invalid("permissions: at least one permission is required")
	}
	seen := map[string]bool{}
	var out []string
	for _, p := range perms {
		if err := cat.CheckPermission(p); err != nil {
			return nil, invalid("%v", err)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// parseContext parses a context argument ("" is global) against the catalog.
func parseContext(cat *catalog.Catalog, s string) (catalog.Context, error) {
	ctx, err := cat.ParseContext(s)
	if err != nil {
		return catalog.Context{}, invalid("%v", err)
	}
	return ctx, nil
}

// validValue checks an assignment value's syntax (it may be empty).
func validValue(v string) error {
	if v == "" {
		return nil
	}
	if _, err := catalog.ParseContext("x:" + v); err != nil || strings.ContainsRune(v, 0) {
		return invalid("value %q: must not contain whitespace or control characters", v)
	}
	return nil
}
