package migrate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/permledger/permledger/catalog"
)

// Role defaults a plan may register (C15's events).
const (
	EventUserCreate = "user-create"
	EventTeamCreate = "team-create"
)

// Validate checks a plan on its own, whatever built it: valid and unique
// names, every assignment of a listed user to a listed role with a value
// that fits the role's context (a team value names a listed team), admins
// among the users, bcrypt hashes only. Whether the roles' permissions and
// context types exist is the catalog's business (the commands check it).
func (p *Plan) Validate() error {
	if err := validSource(p.Source); err != nil {
		return err
	}
	roles, err := p.validRoles()
	if err != nil {
		return err
	}
	teams, err := uniqueNames("team", "teams", p.Teams)
	if err != nil {
		return err
	}
	users := map[string]bool{}
	for i, u := range p.Users {
		if err := validUserEntry(u.Name, users); err != nil {
			return fmt.Errorf("plan: users[%d]: %v", i, err)
		}
		if err := ValidateBcryptHash(u.Name, u.PasswordHash); err != nil {
			return err
		}
	}
	if err := p.validAssignments(roles, teams, users); err != nil {
		return err
	}
	return p.validAdmins(users)
}

func validSource(s string) error {
	if s == "" || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return fmt.Errorf("plan: source %q must be lower-case letters, digits and -", s)
	}
	return nil
}

func (p *Plan) validRoles() (map[string]Role, error) {
	roles := map[string]Role{}
	for i, r := range p.Roles {
		if err := catalog.ValidateName("role", r.Name); err != nil {
			return nil, fmt.Errorf("plan: roles[%d]: %v", i, err)
		}
		if _, dup := roles[r.Name]; dup {
			return nil, fmt.Errorf("plan: roles[%d]: role %q is repeated", i, r.Name)
		}
		if r.Context == "" || len(r.Permissions) == 0 {
			return nil, fmt.Errorf("plan: role %q needs a context and at least one permission", r.Name)
		}
		for _, d := range r.Defaults {
			if err := validDefault(r, d); err != nil {
				return nil, err
			}
		}
		roles[r.Name] = r
	}
	return roles, nil
}

func validDefault(r Role, event string) error {
	switch {
	case event == EventUserCreate && r.Context == catalog.Global:
	case event == EventTeamCreate && r.Context == "team":
	default:
		return fmt.Errorf("plan: role %q (context %s) cannot be a default on %q", r.Name, r.Context, event)
	}
	return nil
}

func uniqueNames(kind, field string, names []string) (map[string]bool, error) {
	seen := map[string]bool{}
	for i, n := range names {
		if err := catalog.ValidateName(kind, n); err != nil {
			return nil, fmt.Errorf("plan: %s[%d]: %v", field, i, err)
		}
		if seen[n] {
			return nil, fmt.Errorf("plan: %s[%d]: %s %q is repeated", field, i, kind, n)
		}
		seen[n] = true
	}
	return seen, nil
}

// validUserEntry checks a user name and that it was not seen before.
func validUserEntry(name string, seen map[string]bool) error {
	if err := catalog.ValidateName("user", name); err != nil {
		return err
	}
	if seen[name] {
		return fmt.Errorf("user %q is repeated", name)
	}
	seen[name] = true
	return nil
}

func (p *Plan) validAssignments(roles map[string]Role, teams, users map[string]bool) error {
	seen := make(map[Assignment]bool, len(p.Assignments))
	for i, a := range p.Assignments {
		r, ok := roles[a.Role]
		var err error
		switch {
		case !users[a.User]:
			err = fmt.Errorf("user %q is not among the plan's users", a.User)
		case !ok:
			err = fmt.Errorf("role %q is not among the plan's roles", a.Role)
		case seen[a]:
			err = errors.New("repeated")
		default:
			err = validValue(r, a.Value, teams)
		}
		if err != nil {
			return fmt.Errorf("plan: assignments[%d] (%s %s %s): %v", i, a.User, a.Role, a.Value, err)
		}
		seen[a] = true
	}
	return nil
}

func validValue(r Role, value string, teams map[string]bool) error {
	switch {
	case r.Context == catalog.Global && value != "":
		return fmt.Errorf("the global role %q takes no value", r.Name)
	case r.Context == catalog.Global:
		return nil
	case value == "":
		return fmt.Errorf("role %q (context %s) needs a value", r.Name, r.Context)
	case r.Context == "team" && !teams[value]:
		return fmt.Errorf("team %q is not among the plan's teams", value)
	}
	_, err := catalog.ParseContext(r.Context + ":" + value)
	return err
}

func (p *Plan) validAdmins(users map[string]bool) error {
	seen := map[string]bool{}
	for i, a := range p.Admins {
		if !users[a] {
			return fmt.Errorf("plan: admins[%d]: user %q is not among the plan's users", i, a)
		}
		if seen[a] {
			return fmt.Errorf("plan: admins[%d]: user %q is repeated", i, a)
		}
		seen[a] = true
	}
	return nil
}
