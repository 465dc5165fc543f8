package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// RolePermissionRemove (C11) removes exact permission names from a role
// [role.update.permission.remove]; removing a parent leaves its children.
type RolePermissionRemove struct {
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

func init() { register("role-permission-remove", func() Command { return &RolePermissionRemove{} }) }

func (c *RolePermissionRemove) Name() string { return "role-permission-remove" }
func (c *RolePermissionRemove) Auth() Auth   { return AuthRequired }

func (c *RolePermissionRemove) Decide(st State, in Input) (Outcome, error) {
	if err := validName("role", c.Role); err != nil {
		return Outcome{}, err
	}
	perms, err := validPermissions(st.Catalog(), c.Permissions)
	if err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "role.update.permission.remove", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	role := st.RoleDoc(c.Role)
	if role == nil {
		return Outcome{}, notFound("role %q not found", c.Role)
	}
	var drop []string
	for _, p := range perms {
		if role.Has(p) {
			drop = append(drop, p)
		}
	}
	if len(drop) == 0 {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RolePermissionsRemoved{Role: c.Role, Permissions: drop}}}, nil
}
