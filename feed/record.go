package feed

import "time"

// Record kinds.
const (
	KindUser = "user" // one user's effective holdings changed
	KindRole = "role" // a role's permissions changed: every holder is affected
)

// Change values of a user record.
const (
	Gained = "gained"
	Lost   = "lost"
	Denied = "denied"   // an explicit deny now applies (R3)
	Undeny = "undenied" // an explicit deny was lifted
)

// Record is one computed change. A user record says that a user gained or
// lost (permission, context) through a source; a role record says a role
// gained or lost permissions, which consumers expand to the role's holders
// (for the default role: every active user), because a role edit would
// otherwise fan out to every holder in one message (R8).
type Record struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Kind       string    `json:"kind"`
	User       string    `json:"user,omitempty"`
	Change     string    `json:"change,omitempty"`
	Permission string    `json:"permission,omitempty"`
	Context    string    `json:"context,omitempty"`
	Via        string    `json:"via,omitempty"` // "role deployer", "override", "admin", "user" (created, deleted, approved)
	Role       string    `json:"role,omitempty"`
	RoleType   string    `json:"role_context,omitempty"`
	Added      []string  `json:"added,omitempty"`
	Removed    []string  `json:"removed,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	CommandID  string    `json:"command_id,omitempty"`
}

// Subjects of the feed.
const (
	SubjectUser = "permledger.feed.user"
	SubjectRole = "permledger.feed.role"
)

// Subject is where a record is published.
func (r Record) Subject() string {
	if r.Kind == KindRole {
		return SubjectRole
	}
	return SubjectUser
}
