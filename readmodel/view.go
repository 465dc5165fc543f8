package readmodel

import (
	"fmt"
	"sort"
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
)

// View reads the current state at one sequence. It is valid only inside the
// function passed to Store.View.
type View struct {
	s *Store
	r reader
}

// Seq is the sequence this view is at.
func (v *View) Seq() uint64 { return v.s.Applied() }

// Catalog is the catalog in force (nil before the first catalog.recorded).
func (v *View) Catalog() *catalog.Catalog { return v.s.catalog }

// Settings are the registration settings.
func (v *View) Settings() Settings { return v.s.settings }

// User returns the user's document, or nil if there is no such user.
func (v *View) User(name string) (*User, error) {
	if c := v.s.docs; c != nil {
		doc, found, known := c.get(name)
		if found {
			var u User
			if err := decodeUser(doc, &u); err != nil {
				return nil, fmt.Errorf("readmodel: cached user %q: %w", name, err)
			}
			return &u, nil
		}
		if known {
			return nil, nil
		}
	}
	return getUser(v.r, key(pUser, name))
}

// Role returns a role (shared, read-only), implementing policy.Roles.
func (v *View) Role(name string) (*policy.Role, bool) {
	r, ok := v.s.roles[name]
	if !ok {
		return nil, false
	}
	return &r.Role, true
}

// RoleDoc returns the role's document (shared, read-only), or nil.
func (v *View) RoleDoc(name string) *Role { return v.s.roles[name] }

// Roles lists every role, sorted by name.
func (v *View) Roles() []*Role {
	out := make([]*Role, 0, len(v.s.roles))
	for _, r := range v.s.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// DefaultRoles lists the roles registered as defaults on event ev, sorted.
func (v *View) DefaultRoles(ev string) []*Role {
	var out []*Role
	for _, r := range v.Roles() {
		if r.HasEvent(ev) {
			out = append(out, r)
		}
	}
	return out
}

// Team returns the team, or nil.
func (v *View) Team(name string) (*Team, error) {
	var t Team
	found, err := getJSON(v.r, key(pTeam, name), &t)
	if err != nil || !found {
		return nil, err
	}
	return &t, nil
}

// AnyActiveAdmin reports whether any active user has the admin flag.
func (v *View) AnyActiveAdmin() (bool, error) { return exists(v.r, pAdmin) }

// RoleHasHolders reports whether any user holds role.
func (v *View) RoleHasHolders(role string) (bool, error) {
	return exists(v.r, append(key(pRoleHolder, role), 0))
}

// Token returns the live token with this hash, or nil.
func (v *View) Token(hash string) (*Token, error) {
	c := v.s.tokens
	if c != nil {
		if t, ok := c.get(hash); ok {
			return &t, nil
		}
	}
	var t Token
	found, err := getJSON(v.r, key(pToken, hash), &t)
	if err != nil || !found {
		return nil, err
	}
	if c != nil {
		c.add(hash, t)
	}
	return &t, nil
}

// RegToken returns the registration token with this hash, or nil.
func (v *View) RegToken(hash string) (*RegToken, error) {
	var t RegToken
	found, err := getJSON(v.r, key(pRegToken, hash), &t)
	if err != nil || !found {
		return nil, err
	}
	return &t, nil
}

// Command returns the record of a command id that succeeded and appended, or nil.
func (v *View) Command(id string) (*Command, error) {
	var c Command
	found, err := getJSON(v.r, key(pCommand, id), &c)
	if err != nil || !found {
		return nil, err
	}
	return &c, nil
}

// Users lists user names in order, starting after `after`, at most limit (0: all).
func (v *View) Users(after string, limit int) ([]string, error) {
	var out []string
	lower := key(pUser, after)
	if after != "" {
		lower = append(lower, 0)
	}
	err := scanRange(v.r, lower, prefixEnd(pUser), func(k, _ []byte) error {
		if limit > 0 && len(out) >= limit {
			return errStopScan
		}
		out = append(out, strings.TrimPrefix(string(k), string(pUser)))
		return nil
	})
	if err == errStopScan {
		err = nil
	}
	return out, err
}

// Check evaluates a check for a user at this view's sequence.
func (v *View) Check(user, perm string, contexts []catalog.Context) (policy.Decision, error) {
	u, err := v.User(user)
	if err != nil {
		return policy.Decision{}, err
	}
	return policy.Check(v.s.catalog, u.Subject(), v, perm, contexts), nil
}

// RoleDocPermissions returns a role's context and permission names.
func (v *View) RoleDocPermissions(name string) (string, []string, bool) {
	r, ok := v.s.roles[name]
	if !ok {
		return "", nil, false
	}
	perms := make([]string, len(r.Permissions))
	for i, p := range r.Permissions {
		perms[i] = p.Permission
	}
	return r.Context, perms, true
}
