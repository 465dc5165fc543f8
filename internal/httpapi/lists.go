package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/natsapi"
)

// serveGet is every GET query's path: read the token, min_seq and the
// route's own query parameters, build the request, answer it within the
// request deadline.
func serveGet[Req, Rep any](s *server, w http.ResponseWriter, r *http.Request, op string,
	build func(query) (Req, *api.Error), do func(context.Context, Req) (Rep, error), params ...string) {
	q, ae := readQuery(r, params...)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	req, ae := build(q)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := do(ctx, req)
	answer(s, w, op, rep, err)
}

func listRequest(q query) (api.ListRequest, *api.Error) {
	return api.ListRequest{Token: q.token, MinSeq: q.minSeq}, nil
}

// roleList serves GET /v1/roles: every role (any valid token).
func (s *server) roleList(w http.ResponseWriter, r *http.Request) {
	serveGet(s, w, r, "role-list", listRequest, func(ctx context.Context, req api.ListRequest) (api.RoleListReply, error) {
		return natsapi.RoleList(ctx, s.l.Queries, req)
	})
}

// roleInfo serves GET /v1/roles/{name}: one role (any valid token).
func (s *server) roleInfo(w http.ResponseWriter, r *http.Request) {
	build := func(q query) (api.RoleInfoRequest, *api.Error) {
		return api.RoleInfoRequest{Token: q.token, Role: r.PathValue("name"), MinSeq: q.minSeq}, nil
	}
	serveGet(s, w, r, "role-info", build, func(ctx context.Context, req api.RoleInfoRequest) (api.RoleInfoReply, error) {
		return natsapi.RoleInfo(ctx, s.l.Queries, req)
	})
}

// permissionList serves GET /v1/permissions: the catalog (any valid token).
func (s *server) permissionList(w http.ResponseWriter, r *http.Request) {
	serveGet(s, w, r, "permission-list", listRequest, func(ctx context.Context, req api.ListRequest) (api.PermissionListReply, error) {
		return natsapi.PermissionList(ctx, s.l.Queries, req)
	})
}

// userList serves GET /v1/users?after=NAME&limit=N (admin only).
func (s *server) userList(w http.ResponseWriter, r *http.Request) {
	build := func(q query) (api.UserListRequest, *api.Error) {
		req := api.UserListRequest{Token: q.token, After: q.params["after"], MinSeq: q.minSeq}
		if v, ok := q.params["limit"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return req, api.Errorf(api.CodeInvalidArgument, "query parameter limit=%q is not an integer", v)
			}
			req.Limit = n
		}
		return req, nil
	}
	serveGet(s, w, r, "user-list", build, func(ctx context.Context, req api.UserListRequest) (api.UserListReply, error) {
		return natsapi.UserList(ctx, s.l.Queries, req)
	}, "after", "limit")
}

// permsView serves GET /v1/users/{name}/permissions (the user itself, an
// admin, or a holder of user.read in user:NAME).
func (s *server) permsView(w http.ResponseWriter, r *http.Request) {
	build := func(q query) (api.UserRequest, *api.Error) {
		return api.UserRequest{Token: q.token, User: r.PathValue("name"), MinSeq: q.minSeq}, nil
	}
	serveGet(s, w, r, "perms-view", build, func(ctx context.Context, req api.UserRequest) (api.PermsViewReply, error) {
		return natsapi.PermsView(ctx, s.l.Queries, req)
	})
}

// history serves GET /v1/users/{name}/history?from_seq=&to_seq=&from_time=&to_time=
// (the user itself, an admin, or a holder of user.read.events in user:NAME).
func (s *server) history(w http.ResponseWriter, r *http.Request) {
	build := func(q query) (api.HistoryRequest, *api.Error) {
		req := api.HistoryRequest{Token: q.token, User: r.PathValue("name"), MinSeq: q.minSeq,
			FromTime: q.params["from_time"], ToTime: q.params["to_time"]}
		var ae *api.Error
		if req.FromSeq, ae = q.uint("from_seq"); ae == nil {
			req.ToSeq, ae = q.uint("to_seq")
		}
		return req, ae
	}
	serveGet(s, w, r, "history", build, func(ctx context.Context, req api.HistoryRequest) (api.HistoryReply, error) {
		return natsapi.History(ctx, s.l.Queries, s.l.LogReader(), req)
	}, "from_seq", "to_seq", "from_time", "to_time")
}
