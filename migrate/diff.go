package migrate

import (
	"sort"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// Diff summarises what a run appends (a dry run's plan).
type Diff struct {
	RolesCreated []string     `json:"roles_created"`
	RolesChanged []string     `json:"roles_changed"`
	TeamsCreated []string     `json:"teams_created"`
	UsersCreated []string     `json:"users_created"`
	AdminsSet    []string     `json:"admins_set,omitempty"`
	Assignments  []Assignment `json:"assignments_added"`
	Gains        []Gain       `json:"gains"`
	Events       int          `json:"events"`
	roleCtx      map[string]string
	rolePerms    map[string][]string
}

// Gain is a permission a user gains, in a context, through a role (Via
// "role NAME") or the admin flag (Via "admin", Role empty).
type Gain struct {
	User        string   `json:"user"`
	Role        string   `json:"role,omitempty"`
	Via         string   `json:"via"`
	Context     string   `json:"context"`
	Permissions []string `json:"permissions"`
}

// RoleReader resolves roles for a diff's gains.
type RoleReader interface {
	RoleDocPermissions(name string) (ctx string, perms []string, ok bool)
}

// Add records a step's events.
func (d *Diff) Add(evs []events.Payload, roles RoleReader) {
	if d.roleCtx == nil {
		d.roleCtx, d.rolePerms = map[string]string{}, map[string][]string{}
	}
	for _, p := range evs {
		d.Events++
		d.add(p, roles)
	}
	sort.Strings(d.RolesChanged)
}

func (d *Diff) add(p events.Payload, roles RoleReader) {
	switch e := p.(type) {
	case events.RoleCreated:
		d.RolesCreated = append(d.RolesCreated, e.Role)
		d.roleCtx[e.Role] = e.Context
	case events.RolePermissionsAdded:
		d.rolePerms[e.Role] = append(d.rolePerms[e.Role], e.Permissions...)
		d.changed(e.Role)
	case events.RoleDefaultAdded:
		d.changed(e.Role)
	case events.TeamCreated:
		d.TeamsCreated = append(d.TeamsCreated, e.Team)
	case events.UserCreated:
		d.UsersCreated = append(d.UsersCreated, e.User)
	case events.UserAdminSet:
		d.AdminsSet = append(d.AdminsSet, e.User)
		d.Gains = append(d.Gains, Gain{User: e.User, Via: "admin", Context: catalog.Global, Permissions: []string{catalog.Root}})
	case events.RoleAssigned:
		d.Assignments = append(d.Assignments, Assignment{User: e.User, Role: e.Role, Value: e.Value})
		d.Gains = append(d.Gains, d.gain(e, roles))
	}
}

func (d *Diff) changed(role string) {
	for _, r := range append(d.RolesCreated, d.RolesChanged...) {
		if r == role {
			return
		}
	}
	d.RolesChanged = append(d.RolesChanged, role)
}

func (d *Diff) gain(e events.RoleAssigned, roles RoleReader) Gain {
	ctx, perms, ok := roles.RoleDocPermissions(e.Role)
	if !ok {
		ctx = d.roleCtx[e.Role]
	}
	perms = append(append([]string(nil), perms...), d.rolePerms[e.Role]...)
	sort.Strings(perms)
	where := catalog.Global
	if ctx != catalog.Global && ctx != "" {
		where = ctx + ":" + e.Value
	}
	return Gain{User: e.User, Role: e.Role, Via: "role " + e.Role, Context: where, Permissions: perms}
}
