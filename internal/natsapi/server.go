package natsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/errmap"
	"github.com/permledger/permledger/internal/strictjson"
	"github.com/permledger/permledger/queries"
)

// Config tunes the server.
type Config struct {
	// Timeout bounds one request's work (default 10s).
	Timeout time.Duration
	Logger  *slog.Logger
	// StreamSeq, if set, reports the log's last sequence for last-seq.
	StreamSeq func(context.Context) (uint64, error)
	// ObserveCheck, if set, is called for every check with its latency.
	ObserveCheck func(allowed bool, err error, d time.Duration)
	// Commands bounds the commands executed at once (default 64). A NATS
	// subscription hands its messages over one at a time, so commands run
	// on their own goroutines: a login's password hashing must not hold up
	// the grants behind it. Decisions and appends stay one at a time (the
	// handler's lock); what runs in parallel is the work before them.
	Commands int
	// History reads the log for permledger.q.history (nil: the subject
	// answers unavailable).
	History queries.LogReader
}

// Server serves the NATS API.
type Server struct {
	cmds *commands.Handler
	qs   *queries.Service
	cfg  Config
	subs []*nats.Subscription
	// work hands commands to the workers: at most cfg.Commands, started as
	// needed and kept (a fresh goroutine per command would grow its stack
	// anew every time); inflight waits for the workers.
	work     chan *nats.Msg
	mu       sync.Mutex
	workers  int
	inflight sync.WaitGroup
	stopWork sync.Once
}

// Start subscribes every subject on nc.
func Start(nc *nats.Conn, cmds *commands.Handler, qs *queries.Service, cfg Config) (*Server, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Commands <= 0 {
		cfg.Commands = 64
	}
	s := &Server{cmds: cmds, qs: qs, cfg: cfg, work: make(chan *nats.Msg)}
	for subj, h := range s.handlers() {
		sub, err := nc.QueueSubscribe(subj, api.QueueGroup, h)
		if err != nil {
			s.Drain()
			return nil, fmt.Errorf("natsapi: subscribe %s: %w", subj, err)
		}
		s.subs = append(s.subs, sub)
	}
	return s, nc.Flush()
}

// Subjects lists the subjects the server subscribes, sorted; commands are
// the one wildcard subject permledger.cmd.*.
func Subjects() []string {
	var s Server
	out := make([]string, 0, len(s.handlers()))
	for subj := range s.handlers() {
		out = append(out, subj)
	}
	sort.Strings(out)
	return out
}

// handlers maps every subject to its handler.
func (s *Server) handlers() map[string]nats.MsgHandler {
	return map[string]nats.MsgHandler{
		api.CommandPrefix + "*":   s.concurrently(s.command),
		api.SubjectCheck:          s.check,
		api.SubjectExplain:        s.explain,
		api.SubjectBatchCheck:     s.batchCheck,
		api.SubjectAuthenticate:   s.authenticate,
		api.SubjectLastSeq:        s.lastSeq,
		api.SubjectRoleList:       s.roleList,
		api.SubjectRoleInfo:       s.roleInfo,
		api.SubjectPermissionList: s.permissionList,
		api.SubjectUserList:       s.userList,
		api.SubjectPermsView:      s.permsView,
		api.SubjectHistory:        s.history,
	}
}

// Drain stops taking requests and returns once the requests already
// received are answered (bounded by the request timeout and a second).
func (s *Server) Drain() {
	closed := make([]<-chan nats.SubStatus, 0, len(s.subs))
	for _, sub := range s.subs {
		closed = append(closed, sub.StatusChanged(nats.SubscriptionClosed))
		if err := sub.Drain(); err != nil {
			closed = closed[:len(closed)-1]
		}
	}
	timer := time.NewTimer(s.cfg.Timeout + time.Second)
	defer timer.Stop()
	for _, ch := range closed {
		select {
		case <-ch:
		case <-timer.C:
			s.cfg.Logger.Warn("natsapi: requests still in flight at shutdown")
			return
		}
	}
	s.stopWork.Do(func() { close(s.work) }) // no callback runs any more: idle workers end
	done := make(chan struct{})
	go func() {
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-timer.C:
		s.cfg.Logger.Warn("natsapi: commands still in flight at shutdown")
	}
}

// concurrently hands each message to an idle worker running h, starting
// one if fewer than cfg.Commands run; while every worker is busy the
// subscription waits, which leaves further messages queued in the client
// (backpressure, bounded by its pending limits).
func (s *Server) concurrently(h nats.MsgHandler) nats.MsgHandler {
	return func(m *nats.Msg) {
		select {
		case s.work <- m:
			return
		default:
		}
		s.mu.Lock()
		start := s.workers < s.cfg.Commands
		if start {
			s.workers++
			s.inflight.Add(1)
		}
		s.mu.Unlock()
		if !start {
			s.work <- m
			return
		}
		go func() {
			defer s.inflight.Done()
			h(m)
			for m := range s.work {
				h(m)
			}
		}()
	}
}

func (s *Server) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.cfg.Timeout)
}

// decode reads a request strictly: unknown fields and trailing data are errors.
func decode(data []byte, v any) *api.Error {
	if err := strictjson.Unmarshal(data, v); err != nil {
		return api.Errorf(api.CodeInvalidArgument, "malformed request: %v", err)
	}
	return nil
}

func (s *Server) respond(m *nats.Msg, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.cfg.Logger.Error("natsapi: encoding a reply", "subject", m.Subject, "error", err)
		return
	}
	if err := m.Respond(b); err != nil {
		s.cfg.Logger.Debug("natsapi: reply not delivered", "subject", m.Subject, "error", err)
	}
}

func (s *Server) wireError(op string, err error) *api.Error {
	ae := errmap.ToAPI(err)
	if ae != nil && ae.Code == api.CodeInternal {
		s.cfg.Logger.Error("natsapi: internal error", "op", op, "error", err)
	}
	return ae
}

func (s *Server) command(m *nats.Msg) {
	name := strings.TrimPrefix(m.Subject, api.CommandPrefix)
	var req api.CommandRequest
	if ae := decode(m.Data, &req); ae != nil {
		s.respond(m, api.CommandReply{Error: ae})
		return
	}
	ctx, cancel := s.ctx()
	defer cancel()
	start := time.Now()
	rep, err := s.cmds.Execute(ctx, commands.Request{Name: name, CommandID: req.CommandID, Token: req.Token, Args: req.Args})
	out := api.CommandReply{Events: rep.Events, Seq: rep.Seq, Repeat: rep.Repeat, Token: rep.Token, Error: s.wireError(name, err)}
	if rep.Result != nil && err == nil {
		out.Result, _ = json.Marshal(rep.Result)
	}
	s.respond(m, out)
	s.logCommand(name, req.CommandID, out, time.Since(start))
}

// logCommand logs one command's outcome with its id: never its token, its
// arguments (passwords) or the token it issued.
func (s *Server) logCommand(name, id string, rep api.CommandReply, d time.Duration) {
	attrs := []any{"command", name, "command_id", id, "events", rep.Events, "seq", rep.Seq,
		"repeat", rep.Repeat, "duration_ms", float64(d.Microseconds()) / 1000}
	if rep.Error != nil {
		s.cfg.Logger.Info("command refused", append(attrs, "code", rep.Error.Code, "error", rep.Error.Message)...)
		return
	}
	s.cfg.Logger.Info("command", attrs...)
}

func (s *Server) check(m *nats.Msg) {
	start := time.Now()
	var req api.CheckRequest
	if ae := decode(m.Data, &req); ae != nil {
		s.respond(m, api.CheckReply{Error: ae})
		return
	}
	ctx, cancel := s.ctx()
	defer cancel()
	rep, err := Check(ctx, s.qs, req)
	if s.cfg.ObserveCheck != nil {
		s.cfg.ObserveCheck(rep.Allowed, err, time.Since(start))
	}
	rep.Error = s.wireError("check", err)
	s.respond(m, rep)
}

func (s *Server) authenticate(m *nats.Msg) {
	var req api.AuthenticateRequest
	if ae := decode(m.Data, &req); ae != nil {
		s.respond(m, api.AuthenticateReply{Error: ae})
		return
	}
	ctx, cancel := s.ctx()
	defer cancel()
	u, seq, err := s.qs.Authenticate(ctx, req.Token, req.MinSeq)
	rep := api.AuthenticateReply{Seq: seq, Error: s.wireError("authenticate", err)}
	if u != nil {
		rep.User, rep.Admin = u.Name, u.Admin
	}
	s.respond(m, rep)
}

func (s *Server) lastSeq(m *nats.Msg) {
	rep := api.LastSeqReply{Applied: s.qs.Applied()}
	if s.cfg.StreamSeq != nil {
		ctx, cancel := s.ctx()
		defer cancel()
		seq, err := s.cfg.StreamSeq(ctx)
		rep.Stream, rep.Error = seq, s.wireError("last-seq", err)
	}
	s.respond(m, rep)
}
