package httpapi

import (
	"net/http"
	"strconv"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/natsapi"
)

// roleList serves GET /v1/roles: every role (any valid token).
func (s *server) roleList(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.RoleList(ctx, s.l.Queries, api.ListRequest{Token: q.token, MinSeq: q.minSeq})
	answer(s, w, "role-list", rep, err)
}

// roleInfo serves GET /v1/roles/{name}: one role (any valid token).
func (s *server) roleInfo(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.RoleInfo(ctx, s.l.Queries, api.RoleInfoRequest{Token: q.token, Role: r.PathValue("name"), MinSeq: q.minSeq})
	answer(s, w, "role-info", rep, err)
}

// permissionList serves GET /v1/permissions: the catalog (any valid token).
func (s *server) permissionList(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.PermissionList(ctx, s.l.Queries, api.ListRequest{Token: q.token, MinSeq: q.minSeq})
	answer(s, w, "permission-list", rep, err)
}

// userList serves GET /v1/users?after=NAME&limit=N (admin only).
func (s *server) userList(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r, "after", "limit")
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	req := api.UserListRequest{Token: q.token, After: q.params["after"], MinSeq: q.minSeq}
	if v, ok := q.params["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.writeError(w, api.Errorf(api.CodeInvalidArgument, "query parameter limit=%q is not an integer", v))
			return
		}
		req.Limit = n
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.UserList(ctx, s.l.Queries, req)
	answer(s, w, "user-list", rep, err)
}

// permsView serves GET /v1/users/{name}/permissions (the user itself, an
// admin, or a holder of user.read in user:NAME).
func (s *server) permsView(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r)
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.PermsView(ctx, s.l.Queries, api.UserRequest{Token: q.token, User: r.PathValue("name"), MinSeq: q.minSeq})
	answer(s, w, "perms-view", rep, err)
}

// history serves GET /v1/users/{name}/history?from_seq=&to_seq=&from_time=&to_time=
// (the user itself, an admin, or a holder of user.read.events in user:NAME).
func (s *server) history(w http.ResponseWriter, r *http.Request) {
	q, ae := readQuery(r, "from_seq", "to_seq", "from_time", "to_time")
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	req := api.HistoryRequest{Token: q.token, User: r.PathValue("name"), MinSeq: q.minSeq,
		FromTime: q.params["from_time"], ToTime: q.params["to_time"]}
	if req.FromSeq, ae = q.uint("from_seq"); ae == nil {
		req.ToSeq, ae = q.uint("to_seq")
	}
	if ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.History(ctx, s.l.Queries, s.l.LogReader(), req)
	answer(s, w, "history", rep, err)
}
