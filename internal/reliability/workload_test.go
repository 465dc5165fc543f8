package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
)

// The workload: workers submit commands with their own command ids and
// retry each one, with the same id, until it is answered for good. A
// transport failure or an unavailable/conflict answer leaves the outcome
// unknown (the command may or may not be in the log), so it is retried; the
// idempotency rules then answer a retry of a command that landed as a
// repeat of the first outcome.

// Secrets the workload uses; the tests search logs for them.
const (
	rootUser     = "root@corp.com"
	rootPassword = "root-pw-Reliab1e!"
	sharedUser   = "shared@corp.com"
	sharedPW     = "shared-pw-Kz7#q"
	wrongPW      = "wrong-pw-Lm4$t"
	userPWPrefix = "user-pw-Vx2-"
)

// command is one submission.
type command struct {
	id, name string
	args     any
}

// outcome is how a command ended.
type outcome struct {
	command
	ok       bool   // answered with success
	code     string // error code of a definitive failure
	events   int
	seq      uint64
	repeat   bool
	attempts int
	unknown  bool     // the run stopped before a definitive answer
	token    string   // the token a successful command issued
	trail    []string // what each attempt got, for failure messages
}

// transport hands a worker a connection. failed is the connection an attempt
// just failed on (nil at first): conn returns another one, or the same one
// once retrying is sensible; ok is false when the run is aborted.
type transport interface {
	conn(ctx context.Context, failed *nats.Conn) (nc *nats.Conn, ok bool)
	// timeout bounds one attempt; after it the outcome is unknown.
	timeout() time.Duration
}

// recorder collects outcomes and counts progress; waiters use cond.
type recorder struct {
	mu       sync.Mutex
	cond     *sync.Cond
	outcomes map[string]*outcome
	acked    int // commands answered with success
	ackTimes []time.Time
	retries  int // attempts whose outcome was unknown
	tokens   []string
}

func newRecorder() *recorder {
	r := &recorder{outcomes: map[string]*outcome{}}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *recorder) record(o *outcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes[o.id] = o
	if o.ok {
		r.acked++
		r.ackTimes = append(r.ackTimes, time.Now())
	}
	r.cond.Broadcast()
}

func (r *recorder) retried() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retries++
	r.cond.Broadcast()
}

func (r *recorder) token(tok string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tokens = append(r.tokens, tok)
}

// ackCount is the number of commands answered with success so far.
func (r *recorder) ackCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acked
}

// longestGap is the longest time without an acknowledgement between since
// and the last acknowledgement.
func (r *recorder) longestGap(since time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	gap, prev := time.Duration(0), since
	for _, at := range r.ackTimes {
		if at.After(since) {
			gap, prev = max(gap, at.Sub(prev)), at
		}
	}
	return gap
}

// waitBeyond waits until more than seen commands are acknowledged (or ctx
// ends) and returns the new count.
func (r *recorder) waitBeyond(ctx context.Context, seen int) int {
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.cond.Broadcast()
	})
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.acked <= seen && ctx.Err() == nil {
		r.cond.Wait()
	}
	return r.acked
}

// send submits one command on nc. A nil error with rep.Error set is the
// server's answer; an error is a transport failure.
func send(ctx context.Context, nc *nats.Conn, timeout time.Duration, token string, c command) (api.CommandReply, error) {
	args, err := json.Marshal(c.args)
	if err != nil {
		return api.CommandReply{}, err
	}
	body, _ := json.Marshal(api.CommandRequest{CommandID: c.id, Token: token, Args: args})
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	m, err := nc.RequestWithContext(ctx, api.CommandPrefix+c.name, body)
	if err != nil {
		return api.CommandReply{}, err
	}
	var rep api.CommandReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return api.CommandReply{}, fmt.Errorf("malformed reply %q: %w", m.Data, err)
	}
	return rep, nil
}

// execute runs c until it is answered for good (or the run aborts).
func execute(ctx context.Context, tr transport, rec *recorder, token string, c command) *outcome {
	o := &outcome{command: c}
	var failed *nats.Conn
	for {
		nc, ok := tr.conn(ctx, failed)
		if !ok {
			o.unknown = true
			return o
		}
		o.attempts++
		rep, err := send(ctx, nc, tr.timeout(), token, c)
		o.trail = append(o.trail, describeAttempt(rep, err))
		if err != nil || rep.Error != nil && (rep.Error.Code == api.CodeUnavailable || rep.Error.Code == api.CodeConflict) {
			failed = nc
			rec.retried()
			continue
		}
		o.ok, o.events, o.seq, o.repeat = rep.Error == nil, rep.Events, rep.Seq, rep.Repeat
		if rep.Error != nil {
			o.code = rep.Error.Code
		}
		if rep.Token != "" {
			o.token = rep.Token
			rec.token(rep.Token)
		}
		return o
	}
}

func describeAttempt(rep api.CommandReply, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case rep.Error != nil:
		return rep.Error.Error()
	}
	return fmt.Sprintf("events %d seq %d repeat %v", rep.Events, rep.Seq, rep.Repeat)
}

// worker generates a mix of commands: unique creations, and grant/revoke
// and assign/dissociate racing on shared keys.
type worker struct {
	id    int
	rng   *rand.Rand
	token string
}

func (w *worker) next(i int) command {
	id := fmt.Sprintf("w%d-%d", w.id, i)
	x := fmt.Sprintf("x%d", w.rng.IntN(3))
	override := map[string]string{"user": sharedUser, "permission": "app.deploy", "context": "team:" + x}
	assignment := map[string]string{"role": "dev", "user": sharedUser, "value": x}
	switch w.rng.IntN(8) {
	case 0:
		return command{id, "team-create", map[string]string{"team": "t-" + id}}
	case 1:
		return command{id, "user-create", map[string]string{"user": "u-" + id, "password": userPWPrefix + id}}
	case 2:
		return command{id, "grant", override}
	case 3:
		return command{id, "revoke", override}
	case 4:
		return command{id, "role-assign", assignment}
	case 5:
		return command{id, "role-dissociate", assignment}
	case 6:
		return command{id, "login", map[string]string{"user": sharedUser, "password": sharedPW}}
	}
	return command{id, "role-add", map[string]string{"role": "r-" + id, "context": "team"}}
}

// run submits commands until stop is closed, finishing the one in flight.
func (w *worker) run(ctx context.Context, tr transport, rec *recorder, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		rec.record(execute(ctx, tr, rec, w.token, w.next(i)))
	}
}

// loginRoot logs root in. A login retried after an unknown outcome may be
// answered as a repeat, which shows no token: then it logs in again.
func loginRoot(ctx context.Context, t *testing.T, tr transport, rec *recorder) string {
	for i := range 5 {
		o := execute(ctx, tr, rec, "", command{fmt.Sprintf("setup-login-%d", i), "login",
			map[string]string{"user": rootUser, "password": rootPassword}})
		if o.ok && o.token != "" {
			return o.token
		}
		t.Logf("root login %d: %+v", i, o)
	}
	t.Fatal("root login: no token after 5 logins")
	return ""
}

// setupCommands create what the workers' commands refer to.
func setupCommands() []command {
	return []command{
		{"setup-x0", "team-create", map[string]string{"team": "x0"}},
		{"setup-x1", "team-create", map[string]string{"team": "x1"}},
		{"setup-x2", "team-create", map[string]string{"team": "x2"}},
		{"setup-shared", "user-create", map[string]string{"user": sharedUser, "password": sharedPW}},
		{"setup-dev", "role-add", map[string]string{"role": "dev", "context": "team"}},
		{"setup-dev-perms", "role-permission-add", map[string]any{"role": "dev", "permissions": []string{"app.read", "app.deploy"}}},
	}
}
