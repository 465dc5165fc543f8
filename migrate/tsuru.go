package migrate

import (
	"fmt"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/internal/strictjson"
)

// TsuruSnapshot is tsuru's legacy state before roles (FORMAT.md): the admin
// team, the teams, and each user with its teams and optional bcrypt hash.
type TsuruSnapshot struct {
	AdminTeam string      `json:"admin_team"`
	Teams     []string    `json:"teams"`
	Users     []TsuruUser `json:"users"`
}

// TsuruUser is one legacy user.
type TsuruUser struct {
	User         string   `json:"user"`
	Teams        []string `json:"teams"`
	PasswordHash string   `json:"password_hash,omitempty"`
}

// Role names tsuru's migrate-roles creates.
const (
	RoleAdmin       = "admin"
	RoleTeamMember  = "team-member"
	RoleTeamCreator = "team-creator"
)

// ParseTsuru decodes a snapshot strictly (unknown fields are errors).
func ParseTsuru(data []byte) (*TsuruSnapshot, error) {
	var s TsuruSnapshot
	if err := strictjson.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("snapshot: %v", err)
	}
	return &s, s.Validate()
}

// Validate refuses a snapshot whose admin team is missing, that names a team
// it does not list, or that repeats a user, naming the offending entry.
func (s *TsuruSnapshot) Validate() error {
	if err := catalog.ValidateName("team", s.AdminTeam); err != nil {
		return fmt.Errorf("snapshot: admin_team: %v", err)
	}
	teams := map[string]bool{}
	for _, t := range s.Teams {
		if err := catalog.ValidateName("team", t); err != nil {
			return fmt.Errorf("snapshot: teams: %v", err)
		}
		teams[t] = true
	}
	if !teams[s.AdminTeam] {
		return fmt.Errorf("snapshot: the admin team %q is not among the teams", s.AdminTeam)
	}
	seen := map[string]bool{}
	for i, u := range s.Users {
		if err := validUser(i, u, teams, seen); err != nil {
			return err
		}
	}
	return nil
}

func validUser(i int, u TsuruUser, teams, seen map[string]bool) error {
	if err := catalog.ValidateName("user", u.User); err != nil {
		return fmt.Errorf("snapshot: users[%d]: %v", i, err)
	}
	if seen[u.User] {
		return fmt.Errorf("snapshot: users[%d]: user %q is repeated", i, u.User)
	}
	seen[u.User] = true
	for _, t := range u.Teams {
		if !teams[t] {
			return fmt.Errorf("snapshot: users[%d] (%s): team %q is not among the teams", i, u.User, t)
		}
	}
	return ValidateBcryptHash(u.User, u.PasswordHash)
}

// ValidateBcryptHash accepts "" (no password) or a bcrypt hash.
func ValidateBcryptHash(user, h string) error {
	if h == "" {
		return nil
	}
	if !isBcrypt(h) {
		return fmt.Errorf("snapshot: user %q: password_hash is not a bcrypt hash", user)
	}
	return nil
}

// Plan maps the snapshot onto tsuru's migrate-roles: admin (global, *,
// unlimited) for the admin team's members; team-member (team: app, team,
// service-instance; default on team-create) for every other team of a user,
// plus team-creator (global: team.create; default on user-create). Users
// with no team get nothing; a user only in the admin team gets only admin.
func (s *TsuruSnapshot) Plan() *Plan {
	p := &Plan{Source: "tsuru", Roles: TsuruRoles(), Teams: append([]string(nil), s.Teams...)}
	for _, u := range s.Users {
		p.Users = append(p.Users, User{Name: u.User, PasswordHash: u.PasswordHash})
		p.Assignments = append(p.Assignments, tsuruAssignments(s.AdminTeam, u)...)
	}
	p.Normalize()
	return p
}

func tsuruAssignments(adminTeam string, u TsuruUser) []Assignment {
	var out []Assignment
	seen := map[Assignment]bool{}
	add := func(a Assignment) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, t := range u.Teams {
		if t == adminTeam {
			add(Assignment{User: u.User, Role: RoleAdmin})
			continue
		}
		add(Assignment{User: u.User, Role: RoleTeamMember, Value: t})
		add(Assignment{User: u.User, Role: RoleTeamCreator})
	}
	return out
}

// TsuruRoles are the three roles of tsuru's migrate-roles.
func TsuruRoles() []Role {
	return []Role{
		{Name: RoleAdmin, Context: catalog.Global, Unlimited: true, Permissions: []string{catalog.Root}},
		tsuruTeamMember(),
		{Name: RoleTeamCreator, Context: catalog.Global, Permissions: []string{"team.create"}, Defaults: []string{EventUserCreate}},
	}
}

// tsuruTeamMember is team-member as tsuru's migrate-roles defines it; the
// pypicloud mapping ensures the same role, so the two never conflict.
func tsuruTeamMember() Role {
	return Role{Name: RoleTeamMember, Context: "team", Permissions: []string{"app", "team", "service-instance"}, Defaults: []string{EventTeamCreate}}
}
