package policy

import (
	"time"

	"github.com/permledger/permledger/catalog"
)

// DefaultRole is the name of the special role every active user holds
// implicitly (Deis's retroactive defaults).
const DefaultRole = "default"

// Provenance names the event that created a holding or an override.
type Provenance struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Actor     string    `json:"actor,omitempty"`
	CommandID string    `json:"command_id,omitempty"`
	RunID     string    `json:"run_id,omitempty"`
}

// Assignment is (role, value) held by a user. Value is "" for a global role.
type Assignment struct {
	Role  string     `json:"role"`
	Value string     `json:"value,omitempty"`
	Prov  Provenance `json:"prov"`
}

// Override is an explicit allow (grant) or deny (revoke) at (permission, context).
type Override struct {
	Permission string     `json:"permission"`
	Context    string     `json:"context"` // "global" or TYPE:VALUE
	Allow      bool       `json:"allow"`
	Prov       Provenance `json:"prov"`
}

// Subject is the user a check is about.
type Subject struct {
	Name        string
	Exists      bool
	Active      bool
	Admin       bool
	Assignments []Assignment
	Overrides   []Override
}

// RolePermission is one permission of a role, with the event that added it.
type RolePermission struct {
	Permission string     `json:"permission"`
	Prov       Provenance `json:"prov"`
}

// Role is a role as the check resolves it.
type Role struct {
	Name        string           `json:"name"`
	Context     string           `json:"context"` // "global" or a context type
	Unlimited   bool             `json:"unlimited,omitempty"`
	Permissions []RolePermission `json:"permissions,omitempty"`
}

// Has reports whether the role holds exactly permission p.
func (r *Role) Has(p string) bool {
	_, ok := r.find(p)
	return ok
}

func (r *Role) find(p string) (RolePermission, bool) {
	for _, rp := range r.Permissions {
		if rp.Permission == p {
			return rp, true
		}
	}
	return RolePermission{}, false
}

// HoldingContext is the context a role assignment gives its permissions in.
func (r *Role) HoldingContext(value string) catalog.Context {
	if r.Context == catalog.Global {
		return catalog.GlobalContext
	}
	return catalog.Context{Type: r.Context, Value: value}
}

// Roles resolves a role by name at the time of the check; a missing role
// contributes nothing (tsuru's dangling instance).
type Roles interface {
	Role(name string) (*Role, bool)
}

// RoleMap is a Roles backed by a map.
type RoleMap map[string]*Role

// Role implements Roles.
func (m RoleMap) Role(name string) (*Role, bool) {
	r, ok := m[name]
	return r, ok
}
