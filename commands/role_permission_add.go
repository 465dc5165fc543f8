package commands

import (
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// RolePermissionAdd (C10) adds permissions to a role
// [role.update.permission.add], all or nothing.
type RolePermissionAdd struct {
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

func init() { register("role-permission-add", func() Command { return &RolePermissionAdd{} }) }

func (c *RolePermissionAdd) Name() string { return "role-permission-add" }
func (c *RolePermissionAdd) Auth() Auth   { return AuthRequired }

func (c *RolePermissionAdd) Decide(st State, in Input) (Outcome, error) {
	if err := validName("role", c.Role); err != nil {
		return Outcome{}, err
	}
	cat := st.Catalog()
	perms, err := validPermissions(cat, c.Permissions)
	if err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "role.update.permission.add", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	role := st.RoleDoc(c.Role)
	if role == nil {
		return Outcome{}, notFound("role %q not found", c.Role)
	}
	var add []string
	for _, p := range perms {
		if !cat.Allows(p, role.Context) {
			return Outcome{}, invalid("permission %q not allowed with context of type %q (allowed: %s)",
				p, role.Context, strings.Join(cat.AllowedContexts(p), ", "))
		}
		if !role.Has(p) {
			add = append(add, p)
		}
	}
	if len(add) == 0 {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RolePermissionsAdded{Role: c.Role, Permissions: add}}}, nil
}
