package readmodel

import (
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// User is a user's current document: flags, credentials and holdings. One
// Pebble read gives a check everything it needs about the user.
type User struct {
	Name         string              `json:"name"`
	CreatedSeq   uint64              `json:"created_seq"`
	PasswordHash string              `json:"password_hash,omitempty"`
	Status       string              `json:"status"`
	Admin        bool                `json:"admin,omitempty"`
	Assignments  []policy.Assignment `json:"assignments,omitempty"`
	Overrides    []policy.Override   `json:"overrides,omitempty"`
	Prov         policy.Provenance   `json:"prov"`
}

// Active reports whether the user is active (not pending).
func (u *User) Active() bool { return u != nil && u.Status == events.StatusActive }

// HasAssignment reports whether the user holds exactly (role, value).
func (u *User) HasAssignment(role, value string) bool {
	for _, a := range u.Assignments {
		if a.Role == role && a.Value == value {
			return true
		}
	}
	return false
}

// Override returns the override at (permission, context), if any.
func (u *User) Override(perm, ctx string) (policy.Override, bool) {
	for _, o := range u.Overrides {
		if o.Permission == perm && o.Context == ctx {
			return o, true
		}
	}
	return policy.Override{}, false
}

// Subject is the user as the check sees it.
func (u *User) Subject() *policy.Subject {
	if u == nil {
		return &policy.Subject{}
	}
	return &policy.Subject{Name: u.Name, Exists: true, Active: u.Active(), Admin: u.Admin,
		Assignments: u.Assignments, Overrides: u.Overrides}
}

// Role is a role's document.
type Role struct {
	policy.Role
	Description string            `json:"description,omitempty"`
	Events      []string          `json:"events,omitempty"` // user-create, team-create defaults
	Prov        policy.Provenance `json:"prov"`
}

// HasEvent reports whether the role is a default on event ev.
func (r *Role) HasEvent(ev string) bool {
	for _, e := range r.Events {
		if e == ev {
			return true
		}
	}
	return false
}

// Team is a team's document.
type Team struct {
	Name string            `json:"name"`
	Prov policy.Provenance `json:"prov"`
}

// Token is a live login token, keyed by its hash.
type Token struct {
	User string            `json:"user"`
	Prov policy.Provenance `json:"prov"`
}

// RegToken is a registration token, keyed by its hash.
type RegToken struct {
	User      string `json:"user,omitempty"`
	ExpiresAt int64  `json:"expires_at"`
	Spent     bool   `json:"spent,omitempty"`
	SpentBy   string `json:"spent_by,omitempty"`
}

// Command records a command id that succeeded and appended, for idempotency.
type Command struct {
	Seq         uint64 `json:"seq"`
	Events      int    `json:"events"`
	Command     string `json:"command"`
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Settings are the ledger-wide registration settings.
type Settings struct {
	Mode     string `json:"mode"`
	Approval bool   `json:"approval"`
}

// DefaultSettings: a new ledger is admin_only without approval (C18).
func DefaultSettings() Settings { return Settings{Mode: events.ModeAdminOnly} }
