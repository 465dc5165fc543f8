package natsapi

import (
	"context"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/queries"
)

// RoleList answers permledger.q.role-list and GET /v1/roles.
func RoleList(ctx context.Context, qs *queries.Service, req api.ListRequest) (api.RoleListReply, error) {
	roles, seq, err := qs.Roles(ctx, req.Token, req.MinSeq)
	if err != nil {
		return api.RoleListReply{}, err
	}
	rep := api.RoleListReply{Roles: make([]api.Role, 0, len(roles)), Seq: seq}
	for _, r := range roles {
		rep.Roles = append(rep.Roles, wireRole(r))
	}
	return rep, nil
}

// RoleInfo answers permledger.q.role-info and GET /v1/roles/{name}.
func RoleInfo(ctx context.Context, qs *queries.Service, req api.RoleInfoRequest) (api.RoleInfoReply, error) {
	r, seq, err := qs.Role(ctx, req.Token, req.Role, req.MinSeq)
	if err != nil {
		return api.RoleInfoReply{}, err
	}
	role := wireRole(r)
	return api.RoleInfoReply{Role: &role, Seq: seq}, nil
}

// PermissionList answers permledger.q.permission-list and GET /v1/permissions.
func PermissionList(ctx context.Context, qs *queries.Service, req api.ListRequest) (api.PermissionListReply, error) {
	cat, seq, err := qs.Catalog(ctx, req.Token, req.MinSeq)
	if err != nil {
		return api.PermissionListReply{}, err
	}
	rep := api.PermissionListReply{Permissions: []api.Permission{}, ContextTypes: []string{}, Seq: seq}
	if cat == nil {
		return rep, nil
	}
	rep.ContextTypes = cat.ContextTypes()
	for _, p := range cat.Permissions() {
		rep.Permissions = append(rep.Permissions, api.Permission{Name: p, Contexts: cat.AllowedContexts(p)})
	}
	return rep, nil
}

// UserList answers permledger.q.user-list and GET /v1/users.
func UserList(ctx context.Context, qs *queries.Service, req api.UserListRequest) (api.UserListReply, error) {
	page, err := qs.Users(ctx, req.Token, req.After, req.Limit, req.MinSeq)
	if err != nil {
		return api.UserListReply{}, err
	}
	rep := api.UserListReply{Users: make([]api.UserSummary, 0, len(page.Users)), Next: page.Next, Seq: page.Seq}
	for _, u := range page.Users {
		s := api.UserSummary{Name: u.Name, Status: u.Status, Admin: u.Admin, Roles: []api.Holding{}}
		for _, a := range u.Assignments {
			s.Roles = append(s.Roles, api.Holding{Role: a.Role, Value: a.Value})
		}
		rep.Users = append(rep.Users, s)
	}
	return rep, nil
}

// PermsView answers permledger.q.perms-view and GET /v1/users/{name}/permissions.
func PermsView(ctx context.Context, qs *queries.Service, req api.UserRequest) (api.PermsViewReply, error) {
	pv, err := qs.PermsView(ctx, req.Token, req.User, req.MinSeq)
	if err != nil {
		return api.PermsViewReply{}, err
	}
	return wirePermsView(pv), nil
}
