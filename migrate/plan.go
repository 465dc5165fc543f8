package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"unicode/utf8"
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
	// Admins get the admin flag (R1), the legacy system's superusers.
	// tsuru's plan has none: its admins get the admin role instead.
	Admins []string `json:"admins,omitempty"`
	// Notes say what the input held that the plan does not carry. They are
	// not part of the run id: they change nothing that is appended.
	Notes Notes `json:"-"`
}

// Notes are what an importer could not carry over.
type Notes struct {
	// PasswordsDropped lists the users whose legacy hash is not bcrypt:
	// they are migrated without a password (token-regenerate -u, or an
	// admin, gives them a way in).
	PasswordsDropped []string `json:"passwords_dropped,omitempty"`
	// Ignored says which input entries have no equivalent, one line each.
	Ignored []string `json:"ignored,omitempty"`
}

// Normalize sorts everything, so that the order of the input does not
// matter to the run id or the steps.
func (p *Plan) Normalize() {
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
	sort.Strings(p.Admins)
	sort.Strings(p.Notes.PasswordsDropped)
}

// RunID is derived from the plan's content: the same input is the same run.
// Call it on a normalized plan.
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
	Admins      []string     `json:"admins,omitempty"`
}

// Step sizes keep one step's message under NATS's default 1 MiB payload:
// a step holds at most TeamsPerStep teams, or UsersPerStep users and (unless
// a single user has more) ItemsPerStep users, assignments and admin flags
// together, and no more than StepBytes of estimated encoded events. An
// item is one event: about 300 bytes with names of 30 characters, at most
// itemOverhead plus its names' JSON lengths with an actor name of up to 254
// plain characters.
const (
	TeamsPerStep = 1000
	UsersPerStep = 200
	ItemsPerStep = 1000
	StepBytes    = 768 << 10
	itemOverhead = 600
)

// Steps splits a plan deterministically: roles first (a conflict there stops
// the run before anything is appended), then teams, then users with their
// assignments and admin flags. A user's assignments are always in the step
// that creates it, so every step can be decided on the state before the
// run: no step depends on another's events.
func (p *Plan) Steps() []Step {
	steps := []Step{{Roles: p.Roles}}
	var cur Step
	size := 0
	for _, t := range p.Teams {
		n := itemOverhead + jsonLen(t)
		if len(cur.Teams) > 0 && (len(cur.Teams) == TeamsPerStep || size+n > StepBytes) {
			steps, cur, size = append(steps, cur), Step{}, 0
		}
		cur.Teams = append(cur.Teams, t)
		size += n
	}
	if len(cur.Teams) > 0 {
		steps = append(steps, cur)
	}
	steps = append(steps, p.userSteps()...)
	for i := range steps {
		steps[i].Index, steps[i].Of = i, len(steps)
	}
	return steps
}

func (p *Plan) userSteps() []Step {
	byUser := map[string][]Assignment{}
	for _, a := range p.Assignments {
		byUser[a.User] = append(byUser[a.User], a)
	}
	admin := map[string]bool{}
	for _, a := range p.Admins {
		admin[a] = true
	}
	var out []Step
	var cur Step
	items, size := 0, 0
	for _, u := range p.Users {
		n, b := 1, itemOverhead+jsonLen(u.Name)+len(u.PasswordHash)
		for _, a := range byUser[u.Name] {
			n, b = n+1, b+itemOverhead+jsonLen(a.User)+jsonLen(a.Role)+jsonLen(a.Value)
		}
		if admin[u.Name] {
			n, b = n+1, b+itemOverhead+jsonLen(u.Name)
		}
		if len(cur.Users) > 0 && (len(cur.Users) == UsersPerStep || items+n > ItemsPerStep || size+b > StepBytes) {
			out, cur, items, size = append(out, cur), Step{}, 0, 0
		}
		cur.Users = append(cur.Users, u)
		cur.Assignments = append(cur.Assignments, byUser[u.Name]...)
		if admin[u.Name] {
			cur.Admins = append(cur.Admins, u.Name)
		}
		items, size = items+n, size+b
	}
	if len(cur.Users) > 0 {
		out = append(out, cur)
	}
	return out
}

// jsonLen is how long s is as a JSON string's content: encoding/json
// escapes quotes and backslashes in two bytes, control characters, <, >, &
// and U+2028/U+2029 in six.
func jsonLen(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 || r == 0x2029:
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}
