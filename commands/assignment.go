package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/readmodel"
)

// assignmentTarget is what role-assign and role-dissociate resolve, in the
// order of SEMANTICS.md section 3.
type assignmentTarget struct {
	role *readmodel.Role
	user *readmodel.User
	ctx  catalog.Context // the context the role's permissions are held in
}

type assignmentArgs struct {
	Role  string `json:"role"`
	User  string `json:"user"`
	Value string `json:"value,omitempty"`
}

// resolve runs steps 2-5 shared by C12 and C13. requiredPerm is the
// command's own permission; checkTeam makes a team value name an existing team.
func (a *assignmentArgs) resolve(st State, in Input, requiredPerm string, checkTeam bool) (*assignmentTarget, error) {
	if err := validName("role", a.Role); err != nil {
		return nil, err
	}
	if err := validName("user", a.User); err != nil {
		return nil, err
	}
	if err := validValue(a.Value); err != nil {
		return nil, err
	}
	if err := requirePermission(st, in.Actor, requiredPerm, catalog.GlobalContext); err != nil {
		return nil, err
	}
	role := st.RoleDoc(a.Role)
	if role != nil && role.Unlimited {
		if err := requireAdmin(in.Actor, "assigning or dissociating the unlimited role "+a.Role); err != nil {
			return nil, err
		}
	}
	t, err := a.found(st, role, checkTeam)
	if err != nil {
		return nil, err
	}
	perms := make([]string, len(role.Permissions))
	for i, rp := range role.Permissions {
		perms[i] = rp.Permission
	}
	if err := requireHolds(st, in.Actor, perms, t.ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// found is step 4: the named objects exist, then stored-state validation.
func (a *assignmentArgs) found(st State, role *readmodel.Role, checkTeam bool) (*assignmentTarget, error) {
	if role == nil {
		return nil, notFound("role %q not found", a.Role)
	}
	u, err := st.User(a.User)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, notFound("user %q not found", a.User)
	}
	if role.Name == policy.DefaultRole {
		return nil, invalid("role %q cannot be assigned: every active user holds it", policy.DefaultRole)
	}
	if role.Context == catalog.Global && a.Value != "" {
		return nil, invalid("role %q is global and takes no value (got %q)", a.Role, a.Value)
	}
	if role.Context != catalog.Global && a.Value == "" {
		return nil, invalid("role %q has context %s and needs a value", a.Role, role.Context)
	}
	if checkTeam && role.Context == "team" {
		team, err := st.Team(a.Value)
		if err != nil {
			return nil, err
		}
		if team == nil {
			return nil, notFound("team %q not found", a.Value)
		}
	}
	return &assignmentTarget{role: role, user: u, ctx: role.HoldingContext(a.Value)}, nil
}
