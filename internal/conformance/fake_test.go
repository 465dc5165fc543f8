package conformance

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/permledger/permledger/api"
)

// fakeLedger is a tiny scripted in-memory ledger, just enough to test the
// runner: users with passwords, tokens, login, user-create/register/delete,
// token-regenerate, registration-token-issue, and checks answered from
// grant/revoke overrides. It is not the ledger's semantics.
type fakeLedger struct {
	seq     uint64
	users   map[string]string // user -> password
	tokens  map[string]string // token -> user
	answers []fakeAnswer
	nextTok int

	// What the runner sent.
	commands []fakeCall
	roots    []fakeCall
	checks   []api.CheckRequest
	closed   bool

	// Misbehaviours, to test that the runner notices them.
	appendOnError   bool   // a failing command still appends an event
	rootPassword    string // if set, root-user-create stores this password instead
	noTokenOnIssues bool   // registration-token-issue returns no token
}

type fakeCall struct {
	Name, Token string
	Args        map[string]any
}

type fakeAnswer struct {
	seq        uint64
	user, perm string
	allowed    bool
	rule       string
}

func newFake() *fakeLedger {
	return &fakeLedger{users: map[string]string{}, tokens: map[string]string{}}
}

func (f *fakeLedger) appended(n int, token string) api.CommandReply {
	f.seq += uint64(n)
	return api.CommandReply{Events: n, Seq: f.seq, Token: token}
}

func (f *fakeLedger) issue(user string) string {
	f.nextTok++
	t := fmt.Sprintf("tok-%d-%s", f.nextTok, user)
	f.tokens[t] = user
	return t
}

func (f *fakeLedger) revokeAll(user string) {
	for t, u := range f.tokens {
		if u == user || user == "" {
			delete(f.tokens, t)
		}
	}
}

func (f *fakeLedger) Command(_ context.Context, name, token string, raw json.RawMessage) (api.CommandReply, error) {
	var args map[string]any
	if err := json.Unmarshal(raw, &args); err != nil {
		return api.CommandReply{}, err
	}
	f.commands = append(f.commands, fakeCall{name, token, args})
	reply, err := f.command(name, token, args)
	if err != nil && f.appendOnError {
		f.seq++
	}
	return reply, err
}

func (f *fakeLedger) command(name, token string, args map[string]any) (api.CommandReply, error) {
	user, _ := args["user"].(string)
	password, _ := args["password"].(string)
	switch name {
	case "login":
		if p, ok := f.users[user]; !ok || p != password {
			return api.CommandReply{}, api.Errorf(api.CodeUnauthenticated, "bad login")
		}
		return f.appended(1, f.issue(user)), nil
	case "user-register":
		if _, ok := f.users[user]; ok {
			return api.CommandReply{}, api.Errorf(api.CodeAlreadyExists, "user %s exists", user)
		}
		f.users[user] = password
		return f.appended(2, f.issue(user)), nil
	}
	actor, ok := f.tokens[token]
	if !ok {
		return api.CommandReply{}, api.Errorf(api.CodeUnauthenticated, "bad token %q", token)
	}
	return f.authenticated(name, actor, user, password, args)
}

func (f *fakeLedger) authenticated(name, actor, user, password string, args map[string]any) (api.CommandReply, error) {
	_, exists := f.users[user]
	switch {
	case name == "user-create" && exists:
		return api.CommandReply{}, api.Errorf(api.CodeAlreadyExists, "user %s exists", user)
	case name == "user-create":
		f.users[user] = password
		return f.appended(1, ""), nil
	case name == "user-delete" && !exists:
		return api.CommandReply{}, api.Errorf(api.CodeNotFound, "no user %s", user)
	case name == "user-delete":
		delete(f.users, user)
		f.revokeAll(user)
		return f.appended(1, ""), nil
	case name == "token-regenerate":
		return f.regenerate(actor, user, args["all"] == true), nil
	case name == "registration-token-issue" && f.noTokenOnIssues:
		return f.appended(1, ""), nil
	case name == "registration-token-issue":
		f.nextTok++
		return f.appended(1, fmt.Sprintf("reg-%d", f.nextTok)), nil
	case name == "grant" || name == "revoke":
		return f.override(user, args["permission"].(string), name == "grant"), nil
	case name == "migrate":
		return f.migrate(args), nil
	case name == "user-approve":
		return api.CommandReply{Seq: f.seq}, nil // always a no-op
	}
	return api.CommandReply{}, api.Errorf(api.CodeForbidden, "the fake does not do %s", name)
}

// migrate creates the snapshot's users that do not exist, with no way to
// log in.
func (f *fakeLedger) migrate(args map[string]any) api.CommandReply {
	snap, _ := args["snapshot"].(map[string]any)
	users, _ := snap["users"].([]any)
	n := 0
	for _, u := range users {
		name, _ := u.(map[string]any)["user"].(string)
		if _, ok := f.users[name]; !ok {
			f.users[name] = "\x00no password"
			n++
		}
	}
	return f.appended(n, "")
}

func (f *fakeLedger) regenerate(actor, user string, all bool) api.CommandReply {
	if all {
		f.revokeAll("")
		return f.appended(1, "")
	}
	if user == "" {
		user = actor
	}
	f.revokeAll(user)
	return f.appended(1, f.issue(user))
}

func (f *fakeLedger) override(user, perm string, allow bool) api.CommandReply {
	cur := f.answer(user, perm, f.seq)
	if cur.allowed == allow && cur.rule != "R5" {
		return api.CommandReply{Seq: f.seq}
	}
	rule := "R3"
	if allow {
		rule = "R4"
	}
	reply := f.appended(1, "")
	f.answers = append(f.answers, fakeAnswer{f.seq, user, perm, allow, rule})
	return reply
}

func (f *fakeLedger) answer(user, perm string, at uint64) fakeAnswer {
	best := fakeAnswer{allowed: false, rule: "R5"}
	for _, a := range f.answers {
		if a.user == user && a.perm == perm && a.seq <= at {
			best = a
		}
	}
	return best
}

func (f *fakeLedger) RootUserCreate(_ context.Context, user, password string) (api.CommandReply, error) {
	f.roots = append(f.roots, fakeCall{Name: "root-user-create", Args: map[string]any{"user": user, "password": password}})
	if _, ok := f.users[user]; ok {
		return api.CommandReply{Seq: f.seq}, nil
	}
	if f.rootPassword != "" {
		password = f.rootPassword
	}
	f.users[user] = password
	return f.appended(3, ""), nil
}

func (f *fakeLedger) Check(_ context.Context, req api.CheckRequest) (api.CheckReply, error) {
	f.checks = append(f.checks, req)
	user := req.User
	if req.Token != "" {
		var ok bool
		if user, ok = f.tokens[req.Token]; !ok {
			return api.CheckReply{}, api.Errorf(api.CodeUnauthenticated, "bad token")
		}
	}
	if req.Permission == "bad.perm" {
		return api.CheckReply{}, api.Errorf(api.CodeInvalidArgument, "unknown permission %q", req.Permission)
	}
	at := f.seq
	if req.AtSeq != 0 {
		at = req.AtSeq
	}
	a := f.answer(user, req.Permission, at)
	return api.CheckReply{Allowed: a.allowed, Rule: a.rule, Seq: at}, nil
}

func (f *fakeLedger) Authenticate(_ context.Context, token string) (string, error) {
	if u, ok := f.tokens[token]; ok {
		return u, nil
	}
	return "", api.Errorf(api.CodeUnauthenticated, "bad token")
}

func (f *fakeLedger) LastSeq(context.Context) (uint64, error) { return f.seq, nil }

func (f *fakeLedger) Close() error { f.closed = true; return nil }
