package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// Log is where commands append: the JetStream stream behind an adapter that
// translates its errors into ErrConflict, ErrDuplicate, ErrInvalidArgument
// (too large) and ErrUnavailable.
type Log interface {
	// Append appends data if the log's last sequence is expectedLastSeq.
	// msgID is the command id (the log's own dedupe within its window).
	Append(ctx context.Context, data []byte, msgID string, expectedLastSeq uint64) (uint64, error)
	LastSeq(ctx context.Context) (uint64, error)
}

// Store is the read model as the handler uses it.
type Store interface {
	Snapshot() *readmodel.Snapshot
	View(fn func(*readmodel.View) error) error
	WaitApplied(ctx context.Context, seq uint64) error
	// RaiseFloor records a sequence this process appended; Floor is the
	// highest recorded (readmodel.Store.RaiseFloor).
	RaiseFloor(seq uint64)
	Floor() uint64
}

// Config tunes a Handler.
type Config struct {
	Hasher  Hasher
	Retries int              // conflict retries (default 8)
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger
	// Observe, if set, is called once per executed command with its outcome.
	Observe func(name, outcome string, conflicts int)
	// Noops remembers command ids answered as no-ops (default: in memory).
	Noops NoopRecords
}

// Handler executes commands.
type Handler struct {
	log      Log
	store    Store
	cfg      Config
	mu       sync.Mutex // one command at a time per process: no self-conflicts
	throttle *throttle
}

// NewHandler builds a Handler.
func NewHandler(log Log, store Store, cfg Config) *Handler {
	if cfg.Retries <= 0 {
		cfg.Retries = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Noops == nil {
		cfg.Noops = newMemoryNoops()
	}
	return &Handler{log: log, store: store, cfg: cfg, throttle: newThrottle()}
}

// Request is one command submission.
type Request struct {
	Name      string
	CommandID string
	Token     string
	Args      json.RawMessage
	// Local marks the operator's local path (root-user-create).
	Local bool
	// RunID stamps every event (migration runs).
	RunID string
}

// Reply answers a command.
type Reply struct {
	Events int
	Seq    uint64
	Repeat bool
	Token  string
	Result any
}

// Execute runs one command to its end.
func (h *Handler) Execute(ctx context.Context, req Request) (Reply, error) {
	if req.Name == RootUserCreateName && !req.Local {
		return Reply{}, invalid("%s is a local operator command and is not offered over the network", req.Name)
	}
	x := &execution{h: h, req: req, clientID: req.CommandID != ""}
	if req.CommandID == "" {
		x.req.CommandID, x.generatedID = events.NewID(h.cfg.Now()), true
	}
	x.cmd, x.parseErr = Parse(req.Name, req.Args)
	if err := h.waitFloor(ctx); err != nil {
		return h.done(x, Reply{}, err)
	}
	if m, ok := x.cmd.(*Migrate); ok {
		rep, err := h.migrate(ctx, x, m)
		return h.done(x, rep, err)
	}
	if x.slow() {
		if err := x.prepare(ctx); err != nil {
			return h.done(x, Reply{}, err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rep, err := x.run(ctx)
	return h.done(x, rep, err)
}

// waitFloor waits until the read model has applied what this process
// appended, so that a decision never loses to the process's own writes.
func (h *Handler) waitFloor(ctx context.Context) error {
	floor := h.store.Floor()
	if err := h.store.WaitApplied(ctx, floor); err != nil {
		return fmt.Errorf("%w: the read model has not applied this instance's last append (%d): %v", ErrUnavailable, floor, err)
	}
	return nil
}

func (h *Handler) done(x *execution, rep Reply, err error) (Reply, error) {
	if h.cfg.Observe != nil {
		h.cfg.Observe(x.req.Name, outcomeLabel(rep, err), x.conflicts)
	}
	if err != nil {
		h.cfg.Logger.Debug("command failed", "command", x.req.Name, "command_id", x.req.CommandID, "error", err)
	}
	return rep, err
}

func outcomeLabel(rep Reply, err error) string {
	switch {
	case err != nil:
		for _, s := range []error{ErrUnauthenticated, ErrInvalidArgument, ErrForbidden, ErrNotFound,
			ErrAlreadyExists, ErrFailedPrecondition, ErrConflict, ErrUnavailable} {
			if errors.Is(err, s) {
				return s.Error()
			}
		}
		return "error"
	case rep.Repeat:
		return "repeat"
	case rep.Events == 0:
		return "noop"
	}
	return "appended"
}

// execution is one command in progress.
type execution struct {
	h         *Handler
	req       Request
	cmd       Command
	parseErr  error
	in        Input
	prepared  bool
	conflicts int
	clientID  bool // the command id was chosen by the client (a generated one cannot come back)
	// generatedID: the id was made here just now and nothing was appended
	// under it yet, so no record of it can exist (a migration step's id is
	// neither: it is derived from its run)
	generatedID bool
}

// slow reports whether the command has slow work to prepare (a password to
// hash, a token to mint, a login to warm). The others skip prepare: it would
// read a snapshot and authenticate only to do it all again under the lock
// (a third of a grant's work, issue 7).
func (x *execution) slow() bool {
	switch c := x.cmd.(type) {
	case withPassword, *Login:
		return true
	case issuesToken:
		return c.issuesToken()
	}
	return false
}

// prepare does the slow, lock-free work first: on a snapshot it hashes the
// password, mints a token and warms the login comparison, so that the
// per-process lock is held only for the decision and the append. It answers
// nothing from state itself: a snapshot may be behind the log, and only the
// checked path in attempt may answer from state.
func (x *execution) prepare(ctx context.Context) error {
	snap := x.h.store.Snapshot()
	defer snap.Close()
	if rep, err := x.repeat(snap); err != nil || rep != nil {
		return nil
	}
	if _, err := x.authenticate(snap); err != nil || x.parseErr != nil {
		return nil
	}
	return x.secrets(snap)
}

func (x *execution) secrets(snap State) error {
	x.prepared = true
	x.in.Verify = newVerifier()
	if c, ok := x.cmd.(withPassword); ok && validatePassword(c.password()) == nil {
		hash, err := x.h.cfg.Hasher.Hash(c.password())
		if err != nil {
			return err
		}
		x.in.PasswordHash = hash
	}
	if c, ok := x.cmd.(issuesToken); ok && c.issuesToken() {
		s, err := NewSecret()
		if err != nil {
			return err
		}
		x.in.NewToken = s
	}
	if l, ok := x.cmd.(*Login); ok {
		return x.warmLogin(snap, l)
	}
	return nil
}

func (x *execution) warmLogin(snap State, l *Login) error {
	if x.h.throttle.blocked(l.User, x.h.cfg.Now()) {
		return errUnauthenticated
	}
	u, err := snap.User(l.User)
	if err == nil && u != nil {
		x.in.Verify(u.PasswordHash, l.Password)
	}
	return err
}

// run decides and appends, retrying a conflict.
func (x *execution) run(ctx context.Context) (Reply, error) {
	if err := x.h.waitFloor(ctx); err != nil {
		return Reply{}, err
	}
	for attempt := 0; attempt <= x.h.cfg.Retries; attempt++ {
		rep, retry, err := x.attempt(ctx)
		if !retry {
			return rep, err
		}
		x.conflicts++
	}
	return Reply{}, fmt.Errorf("%w: %s lost to concurrent writers %d times", ErrConflict, x.req.Name, x.conflicts)
}

func (x *execution) attempt(ctx context.Context) (rep Reply, retry bool, err error) {
	out, data, expected, err := x.decideNow()
	if _, repeat := out.Result.(repeatMarker); repeat {
		return x.reply(out, 0, expected), false, nil
	}
	if data == nil {
		return x.answerWithoutAppend(ctx, out, expected, err)
	}
	if rep, retry, err := x.noopFirst(ctx); rep != nil || retry || err != nil {
		if rep == nil {
			return Reply{}, retry, err
		}
		return *rep, false, nil
	}
	// From here on a record of this id may exist, even when the answer
	// below says otherwise: an append whose acknowledgement was lost is
	// retried by the log and answered as a conflict (or a duplicate). The
	// next attempt must find it and answer as a repeat, not decide again
	// on the state it made.
	x.generatedID = false
	seq, err := x.h.log.Append(ctx, data, x.req.CommandID, expected)
	switch {
	case errors.Is(err, ErrConflict):
		return Reply{}, true, x.catchUp(ctx)
	case errors.Is(err, ErrDuplicate):
		return Reply{}, true, x.h.store.WaitApplied(ctx, seq)
	case err != nil:
		return Reply{}, false, err
	}
	x.afterDecide(nil)
	// Answered once the events are in the log, before the read model has
	// applied them: the next command and the queries on this instance wait
	// for the floor; elsewhere a client passes seq as min_seq.
	x.h.store.RaiseFloor(seq)
	return x.reply(out, len(out.Events), seq), false, nil
}

// answerWithoutAppend answers an error or a no-op only if it was decided on
// the log's latest state: the expected-sequence check guards appends, and
// this guards the answers that append nothing (another instance may have
// appended what this read model has not applied yet). A no-op under a
// client-chosen id is recorded before it is answered (noop_answer.go).
func (x *execution) answerWithoutAppend(ctx context.Context, out Outcome, seq uint64, decided error) (Reply, bool, error) {
	if errors.Is(decided, ErrUnauthenticated) && x.cmd != nil && x.cmd.Auth() != AuthNone && x.req.Token == "" {
		return Reply{}, false, decided // no token at all: no state can change that
	}
	last, err := x.h.log.LastSeq(ctx)
	if err != nil {
		return Reply{}, false, err
	}
	if last > seq {
		return Reply{}, true, x.h.store.WaitApplied(ctx, last)
	}
	x.afterDecide(decided)
	if decided == nil && x.clientID {
		return x.recordNoop(ctx, out, seq)
	}
	return x.reply(out, 0, seq), false, decided
}

// catchUp waits until the read model has applied the log's last sequence.
func (x *execution) catchUp(ctx context.Context) error {
	last, err := x.h.log.LastSeq(ctx)
	if err != nil {
		return err
	}
	return x.h.store.WaitApplied(ctx, last)
}

// decide runs on one snapshot: repeat, authentication, arguments, Decide.
// It returns the encoded batch (nil when nothing is to be appended).
// decideNow decides on the current state. A command with slow work left for
// its decision (a password to compare) decides on a lock-free snapshot;
// the others on a view, which reads the store's in-memory user documents
// and holds the projector back only for the few microseconds of a
// decision.
func (x *execution) decideNow() (out Outcome, data []byte, seq uint64, err error) {
	if x.slow() && !x.prepared {
		snap := x.h.store.Snapshot()
		defer snap.Close()
		return x.decide(snap)
	}
	err = x.h.store.View(func(v *readmodel.View) error {
		var derr error
		out, data, seq, derr = x.decide(v)
		return derr
	})
	return out, data, seq, err
}

func (x *execution) decide(snap State) (Outcome, []byte, uint64, error) {
	seq := snap.Seq()
	if rep, err := x.repeat(snap); err != nil || rep != nil {
		if rep != nil {
			return Outcome{Result: repeatMarker{rep}}, nil, rep.Seq, nil
		}
		return Outcome{}, nil, seq, err
	}
	actor, err := x.authenticate(snap)
	if err != nil {
		return Outcome{}, nil, seq, err
	}
	if x.parseErr != nil {
		return Outcome{}, nil, seq, x.parseErr
	}
	if !x.prepared {
		if err := x.secrets(snap); err != nil {
			return Outcome{}, nil, seq, err
		}
	}
	x.in.Actor, x.in.Now = actor, x.h.cfg.Now()
	out, err := x.cmd.Decide(snap, x.in)
	if err != nil || len(out.Events) == 0 {
		return out, nil, seq, err
	}
	data, err := x.encode(actor, out)
	return out, data, seq, err
}

func (x *execution) afterDecide(err error) {
	if l, ok := x.cmd.(*Login); ok {
		if errors.Is(err, ErrUnauthenticated) {
			x.h.throttle.fail(l.User, x.h.cfg.Now())
		} else if err == nil {
			x.h.throttle.reset(l.User)
		}
	}
}

type repeatMarker struct{ rep *Reply }

func (x *execution) reply(out Outcome, n int, seq uint64) Reply {
	if m, ok := out.Result.(repeatMarker); ok {
		return *m.rep
	}
	return Reply{Events: n, Seq: seq, Token: out.Token, Result: out.Result}
}

// repeat answers a command id that already succeeded: appended (the read
// model's record) or answered as a no-op (the no-op records).
func (x *execution) repeat(st State) (*Reply, error) {
	if x.generatedID {
		return nil, nil
	}
	rec, err := st.Command(x.req.CommandID)
	if err != nil {
		return nil, err
	}
	if rec == nil {
		if n, ok := x.h.cfg.Noops.Lookup(x.req.CommandID); ok && n.Final && x.clientID {
			return x.noopRepeat(n)
		}
		return nil, nil
	}
	if x.cmd != nil && rec.Fingerprint != Fingerprint(x.cmd) || rec.Command != x.req.Name {
		return nil, precondition("command id %q was already used by a different %s command", x.req.CommandID, rec.Command)
	}
	return &Reply{Seq: rec.Seq, Repeat: true}, nil
}

func (x *execution) encode(actor *readmodel.User, out Outcome) ([]byte, error) {
	m := events.Meta{Time: x.in.Now, CommandID: x.req.CommandID, RunID: x.req.RunID}
	if actor != nil {
		m.Actor = actor.Name
	}
	b := events.Batch{CommandID: x.req.CommandID, Command: x.req.Name, Fingerprint: Fingerprint(x.cmd)}
	for _, p := range out.Events {
		b.Events = append(b.Events, events.New(m, p))
	}
	return events.EncodeBatch(b)
}
