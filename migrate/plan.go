package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
)

// Role is a role a plan ensures: created if absent; if present with the same
// context and unlimited flag, it gets any missing permission and default.
type Role struct {
	Name        string   `json:"name"`
	Context     string   `json:"context"`
	Unlimited   bool     `json:"unlimited,omitempty"`
	Permissions []string `json:"permissions"`
	Defaults    []string `json:"defaults,omitempty"` // user-create, team-create
}

// User is a user a plan creates if absent (active, no event defaults). An
// existing user keeps its password and status.
type User struct {
	Name         string `json:"user"`
	PasswordHash string `json:"password_hash,omitempty"`
}

// Assignment is (role, value) a plan gives a user.
type Assignment struct {
	User  string `json:"user"`
	Role  string `json:"role"`
	Value string `json:"value,omitempty"`
}

// Plan is what a migration run must leave in the ledger.
type Plan struct {
	Source      string       `json:"source"` // tsuru, deis, pypicloud
	Roles       []Role       `json:"roles"`
	Teams       []string     `json:"teams"`
	Users       []User       `json:"users"`
	Assignments []Assignment `json:"assignments"`
}

// normalize sorts everything, so that the order of the input does not matter.
func (p *Plan) normalize() {
	sort.Slice(p.Roles, func(i, j int) bool { return p.Roles[i].Name < p.Roles[j].Name })
	for i := range p.Roles {
		sort.Strings(p.Roles[i].Permissions)
		sort.Strings(p.Roles[i].Defaults)
	}
	sort.Strings(p.Teams)
	sort.Slice(p.Users, func(i, j int) bool { return p.Users[i].Name < p.Users[j].Name })
	sort.Slice(p.Assignments, func(i, j int) bool {
		a, b := p.Assignments[i], p.Assignments[j]
		if a.User != b.User {
			return a.User < b.User
		}
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		return a.Value < b.Value
	})
}

// RunID is derived from the plan's content: the same input is the same run.
func (p *Plan) RunID() string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return p.Source + "-" + hex.EncodeToString(sum[:10])
}

// Step is one command of a run.
type Step struct {
	Index       int          `json:"index"`
	Of          int          `json:"of"`
	Roles       []Role       `json:"roles,omitempty"`
	Teams       []string     `json:"teams,omitempty"`
	Users       []User       `json:"users,omitempty"`
	Assignments []Assignment `json:"assignments,omitempty"`
}

// Step sizes keep one step's message well under NATS's 1 MiB payload.
const (
	TeamsPerStep = 1000
	UsersPerStep = 200
)

// Steps splits a plan deterministically: roles first (a conflict there stops
// the run before anything is appended), then teams, then users with their
// assignments.
func (p *Plan) Steps() []Step {
	steps := []Step{{Roles: p.Roles}}
	for i := 0; i < len(p.Teams); i += TeamsPerStep {
		steps = append(steps, Step{Teams: p.Teams[i:min(i+TeamsPerStep, len(p.Teams))]})
	}
	byUser := map[string][]Assignment{}
	for _, a := range p.Assignments {
		byUser[a.User] = append(byUser[a.User], a)
	}
	for i := 0; i < len(p.Users); i += UsersPerStep {
		s := Step{Users: p.Users[i:min(i+UsersPerStep, len(p.Users))]}
		for _, u := range s.Users {
			s.Assignments = append(s.Assignments, byUser[u.Name]...)
		}
		steps = append(steps, s)
	}
	for i := range steps {
		steps[i].Index, steps[i].Of = i, len(steps)
	}
	return steps
}
