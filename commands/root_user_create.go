package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// RootUserCreateName is the local operator command, never offered over the network.
const RootUserCreateName = "root-user-create"

// AllowAllRole is the root role root-user-create ensures.
const AllowAllRole = "AllowAll"

// RootUserCreate (C1) creates the user if absent (with user-create
// defaults), makes it an active admin, ensures AllowAll (global, *,
// unlimited) and assigns it. A re-run appends only what is missing and never
// changes the password.
type RootUserCreate struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

func init() { register(RootUserCreateName, func() Command { return &RootUserCreate{} }) }

func (c *RootUserCreate) Name() string     { return RootUserCreateName }
func (c *RootUserCreate) Auth() Auth       { return AuthNone }
func (c *RootUserCreate) password() string { return c.Password }
func (c *RootUserCreate) fingerprintArgs() any {
	return struct{ User string }{c.User}
}

func (c *RootUserCreate) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if err := validatePassword(c.Password); err != nil {
		return Outcome{}, err
	}
	u, err := st.User(c.User)
	if err != nil {
		return Outcome{}, err
	}
	var evs []events.Payload
	assigned := u != nil && u.HasAssignment(AllowAllRole, "")
	if u == nil {
		evs = append(evs, events.UserCreated{User: c.User, PasswordHash: in.PasswordHash, Status: events.StatusActive, Admin: true})
		for _, e := range defaultAssignments(st, events.DefaultOnUserCreate, c.User, "") {
			assigned = assigned || e.(events.RoleAssigned).Role == AllowAllRole
			evs = append(evs, e)
		}
	} else {
		if !u.Active() {
			evs = append(evs, events.UserApproved{User: c.User})
		}
		if !u.Admin {
			evs = append(evs, events.UserAdminSet{User: c.User, Admin: true})
		}
	}
	role := st.RoleDoc(AllowAllRole)
	switch {
	case role == nil:
		evs = append(evs, events.RoleCreated{Role: AllowAllRole, Context: catalog.Global, Unlimited: true},
			events.RolePermissionsAdded{Role: AllowAllRole, Permissions: []string{catalog.Root}})
	case role.Context != catalog.Global || !role.Unlimited:
		return Outcome{}, precondition("role %s exists with context %s and unlimited=%v; it must be global and unlimited",
			AllowAllRole, role.Context, role.Unlimited)
	case !role.Has(catalog.Root):
		evs = append(evs, events.RolePermissionsAdded{Role: AllowAllRole, Permissions: []string{catalog.Root}})
	}
	if !assigned {
		evs = append(evs, events.RoleAssigned{Role: AllowAllRole, User: c.User})
	}
	return Outcome{Events: evs}, nil
}

// defaultAssignments assigns every default role of event ev to user.
func defaultAssignments(st State, ev, user, value string) []events.Payload {
	var evs []events.Payload
	for _, r := range st.DefaultRoles(ev) {
		if r.Name == policy.DefaultRole {
			continue
		}
		evs = append(evs, events.RoleAssigned{Role: r.Name, User: user, Value: value})
	}
	return evs
}
