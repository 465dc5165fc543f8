package natsapi

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
)

// errorReply is the reply of a query that failed: the error alone, which
// decodes into any api reply type as its Error.
type errorReply struct {
	Error *api.Error `json:"error"`
}

// serveQuery decodes a request strictly into Req, answers it with fn
// within the request timeout, and replies with its result or its error.
func serveQuery[Req, Rep any](s *Server, op string, fn func(context.Context, Req) (Rep, error)) nats.MsgHandler {
	return func(m *nats.Msg) {
		start := time.Now()
		var req Req
		if ae := decode(m.Data, &req); ae != nil {
			s.respond(m, errorReply{Error: ae})
			return
		}
		ctx, cancel := s.ctx()
		defer cancel()
		rep, err := fn(ctx, req)
		if ae := s.wireError(op, err); ae != nil {
			s.cfg.Logger.Debug("query refused", "query", op, "code", ae.Code, "duration_ms", ms(time.Since(start)))
			s.respond(m, errorReply{Error: ae})
			return
		}
		s.cfg.Logger.Debug("query", "query", op, "duration_ms", ms(time.Since(start)))
		s.respond(m, rep)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (s *Server) explain(m *nats.Msg) {
	serveQuery(s, "explain", func(ctx context.Context, req api.CheckRequest) (api.CheckReply, error) {
		return ExplainCheck(ctx, s.qs, req, s.cfg.ObserveCheck)
	})(m)
}

func (s *Server) batchCheck(m *nats.Msg) {
	serveQuery(s, "check-batch", func(ctx context.Context, req api.BatchCheckRequest) (api.BatchCheckReply, error) {
		return BatchCheck(ctx, s.qs, req, s.cfg.ObserveCheck, s.wireError)
	})(m)
}

func (s *Server) roleList(m *nats.Msg) {
	serveQuery(s, "role-list", func(ctx context.Context, req api.ListRequest) (api.RoleListReply, error) {
		return RoleList(ctx, s.qs, req)
	})(m)
}

func (s *Server) roleInfo(m *nats.Msg) {
	serveQuery(s, "role-info", func(ctx context.Context, req api.RoleInfoRequest) (api.RoleInfoReply, error) {
		return RoleInfo(ctx, s.qs, req)
	})(m)
}

func (s *Server) permissionList(m *nats.Msg) {
	serveQuery(s, "permission-list", func(ctx context.Context, req api.ListRequest) (api.PermissionListReply, error) {
		return PermissionList(ctx, s.qs, req)
	})(m)
}

func (s *Server) userList(m *nats.Msg) {
	serveQuery(s, "user-list", func(ctx context.Context, req api.UserListRequest) (api.UserListReply, error) {
		return UserList(ctx, s.qs, req)
	})(m)
}

func (s *Server) permsView(m *nats.Msg) {
	serveQuery(s, "perms-view", func(ctx context.Context, req api.UserRequest) (api.PermsViewReply, error) {
		return PermsView(ctx, s.qs, req)
	})(m)
}

func (s *Server) history(m *nats.Msg) {
	serveQuery(s, "history", func(ctx context.Context, req api.HistoryRequest) (api.HistoryReply, error) {
		return History(ctx, s.qs, s.cfg.History, req)
	})(m)
}
