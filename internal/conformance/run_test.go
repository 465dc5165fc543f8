package conformance

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// runSteps parses a scenario made of steps (JSON objects joined by commas)
// and runs it on f.
func runSteps(t *testing.T, f *fakeLedger, steps ...string) error {
	t.Helper()
	sc, err := Parse("t.json", []byte(`{"name": "t", "steps": [`+strings.Join(steps, ",\n")+`]}`))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return Run(context.Background(), sc, func(context.Context) (Target, error) { return f, nil })
}

func mustPass(t *testing.T, f *fakeLedger, steps ...string) {
	t.Helper()
	if err := runSteps(t, f, steps...); err != nil {
		t.Fatalf("want PASS, got %v", err)
	}
	if !f.closed {
		t.Error("the target was not closed")
	}
}

func mustFail(t *testing.T, f *fakeLedger, want string, steps ...string) {
	t.Helper()
	err := runSteps(t, f, steps...)
	if err == nil {
		t.Fatalf("want an error containing %q, got PASS", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("want an error containing\n  %q\ngot\n  %q", want, err)
	}
}

// tokensOf lists the token each command named name was sent with.
func tokensOf(f *fakeLedger, name string) []string {
	var out []string
	for _, c := range f.commands {
		if c.Name == name {
			out = append(out, c.Token)
		}
	}
	return out
}

const (
	rootCreate = `{"do": "root-user-create", "args": {"user": "root", "password": "rootpw"}}`
	bobCreate  = `{"do": "user-create", "as": "root", "args": {"user": "bob", "password": "bobpw"}}`
)

func TestRootUserCreateGoesThroughTheLocalPath(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate)
	if len(f.roots) != 1 || len(f.commands) != 0 {
		t.Fatalf("want one RootUserCreate and no Command, got %d and %v", len(f.roots), f.commands)
	}
	if f.roots[0].Args["user"] != "root" || f.roots[0].Args["password"] != "rootpw" {
		t.Fatalf("RootUserCreate got %v", f.roots[0].Args)
	}
}

func TestAsLogsInOnceWithTheCreatingPassword(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate,
		`{"do": "root-user-create", "args": {"user": "root", "password": "otherpw"}, "expect_events": 0}`,
		bobCreate,
		`{"do": "user-create", "as": "root", "args": {"user": "carol", "password": "carolpw"}}`)
	logins := f.commands[0]
	if logins.Name != "login" || logins.Token != "" || logins.Args["password"] != "rootpw" {
		t.Fatalf("want the runner's login with rootpw first, got %+v", logins)
	}
	if got := tokensOf(f, "login"); len(got) != 1 {
		t.Fatalf("want one login, got %d", len(got))
	}
	creates := tokensOf(f, "user-create")
	if creates[0] == "" || creates[0] != creates[1] {
		t.Fatalf("want both user-creates with the same root token, got %q", creates)
	}
}

func TestAsUsesTheMostRecentTokenSeen(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate, bobCreate,
		`{"do": "login", "args": {"user": "bob", "password": "bobpw"}, "save_token": "b1"}`,
		`{"do": "token-regenerate", "as": "bob", "args": {}, "save_token": "b2"}`,
		`{"do": "token-regenerate", "as": "root", "args": {"user": "bob"}, "save_token": "b3"}`,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "app.read"}}`,
		`{"do": "token-regenerate", "token": "b3", "args": {}, "save_token": "b4"}`,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "app.deploy"}}`,
		`{"authenticate": {"token": "b4"}, "expect": "bob"}`)
	regen := tokensOf(f, "token-regenerate")
	grants := tokensOf(f, "grant")
	if regen[0] != "tok-2-bob" { // tok-1-root is the runner's login as root
		t.Fatalf("want bob's first regenerate with the login token, got %q", regen[0])
	}
	if grants[0] != "tok-4-bob" || grants[1] != "tok-5-bob" {
		t.Fatalf("want grants with the tokens of the regenerates for bob, got %q", grants)
	}
}

func TestRevokedTokenIsNotRefreshed(t *testing.T) {
	steps := []string{rootCreate, bobCreate,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "app.read"}}`,
		`{"do": "token-regenerate", "as": "root", "args": {"all": true}}`}
	mustPass(t, newFake(), append(steps,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "x"}, "expect_error": "unauthenticated"}`)...)
	mustFail(t, newFake(), "step 5 (do grant as bob): expected success, got error unauthenticated (bad token",
		append(steps, `{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "x"}}`)...)
}

func TestDeletedUserStartsOver(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate, bobCreate,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "a"}}`,
		`{"do": "user-delete", "as": "root", "args": {"user": "bob"}}`,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "c"}, "expect_error": "unauthenticated"}`,
		`{"do": "root-user-create", "args": {"user": "root", "password": "x"}, "expect_events": 0}`,
		`{"do": "user-create", "as": "root", "args": {"user": "bob", "password": "newpw"}}`,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "b"}}`)
	last := f.commands[len(f.commands)-2]
	if last.Name != "login" || last.Args["password"] != "newpw" {
		t.Fatalf("want a login with the new password before the last grant, got %+v", last)
	}
}

func TestUserRegisterTokenIsUsed(t *testing.T) {
	f := newFake()
	mustPass(t, f, `{"do": "user-register", "args": {"user": "alice", "password": "pw"}}`,
		`{"do": "user-register", "as": "alice", "args": {"user": "bob", "password": "pw"}}`,
		`{"do": "grant", "as": "bob", "args": {"user": "bob", "permission": "p"}}`)
	if got := tokensOf(f, "login"); len(got) != 0 {
		t.Fatalf("want no login, got %d", len(got))
	}
	if got := tokensOf(f, "grant"); got[0] != "tok-2-bob" {
		t.Fatalf("want the grant with bob's registration token, got %q", got)
	}
}

func TestMigratedUserHasNoPassword(t *testing.T) {
	mustFail(t, newFake(), "step 4 (do grant as x): acting as x: no token seen for it and no password",
		rootCreate,
		`{"do": "migrate", "as": "root", "args": {"snapshot": {"users": [{"user": "x", "teams": []}]}, "dry_run": false}}`,
		`{"do": "root-user-create", "args": {"user": "x", "password": "xpw"}, "expect_events": 0}`,
		`{"do": "grant", "as": "x", "args": {"user": "x", "permission": "p"}}`)
}

func TestRunnerLoginFailureIsReported(t *testing.T) {
	f := newFake()
	f.rootPassword = "not-what-the-scenario-said"
	mustFail(t, f, "step 2 (do user-create as root): acting as root: the runner's own login (not a step) failed: error unauthenticated",
		rootCreate, bobCreate)
	mustFail(t, newFake(), "step 1 (do grant as ghost): acting as ghost: no token seen",
		`{"do": "grant", "as": "ghost", "args": {"user": "x", "permission": "y"}}`)
}

func TestDollarSubstitution(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate,
		`{"do": "registration-token-issue", "as": "root", "args": {"ttl_seconds": 60}, "save_token": "rt1"}`,
		`{"do": "user-register", "args": {"user": "newbie", "password": "$2a$10$abc",
		  "registration_token": "$rt1", "nested": {"list": ["$rt1", "$", "rt1", "$rt1 "]}, "n": 12345678901234567890}}`,
		`{"do": "login", "args": {"user": "newbie", "password": "$2a$10$abc"}}`)
	args := f.commands[2].Args
	if args["registration_token"] != "reg-2" || args["password"] != "$2a$10$abc" {
		t.Fatalf("substitution: got %v", args)
	}
	list := args["nested"].(map[string]any)["list"].([]any)
	if list[0] != "reg-2" || list[1] != "$" || list[2] != "rt1" || list[3] != "$rt1 " {
		t.Fatalf("nested substitution: got %v", list)
	}
}

func TestUnknownSavedNameFailsAtRunTime(t *testing.T) {
	sc := &Scenario{Name: "hand-made", Steps: []Step{
		{Num: 1, Do: &DoStep{Command: "login", Args: []byte(`{"user": "$nope"}`)}},
	}}
	err := Run(context.Background(), sc, func(context.Context) (Target, error) { return newFake(), nil })
	if err == nil || !strings.Contains(err.Error(), `step 1 (do login): no token was saved under the name "nope"`) {
		t.Fatalf("got %v", err)
	}
}

func TestSaveTokenNeedsAToken(t *testing.T) {
	f := newFake()
	f.noTokenOnIssues = true
	mustFail(t, f, `step 2 (do registration-token-issue as root): expected a token to save as "rt", got success with no token`,
		rootCreate, `{"do": "registration-token-issue", "as": "root", "args": {}, "save_token": "rt"}`)
}

func TestMarkAndAt(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate,
		`{"do": "grant", "as": "root", "args": {"user": "bob", "permission": "p"}, "mark": "granted"}`,
		`{"do": "user-approve", "as": "root", "args": {}, "expect_events": 0, "mark": "noop"}`,
		`{"do": "revoke", "as": "root", "args": {"user": "bob", "permission": "p"}}`,
		`{"check": {"user": "bob", "permission": "p", "contexts": []}, "expect": "deny", "expect_rule": "R3"}`,
		`{"check": {"user": "bob", "permission": "p"}, "expect": "allow", "expect_rule": "R4", "at": "granted"}`,
		`{"check": {"user": "bob", "permission": "p", "contexts": ["team:a"]}, "expect": "allow", "at": "noop"}`)
	// seq: root 3, login 4, grant 5, revoke 6
	now, at := f.checks[0], f.checks[1]
	if now.AtSeq != 0 || now.MinSeq != 6 || now.Contexts == nil {
		t.Fatalf("check now: got %+v", now)
	}
	if at.AtSeq != 5 || f.checks[2].AtSeq != 5 {
		t.Fatalf("check at marks: got %d and %d, want 5", at.AtSeq, f.checks[2].AtSeq)
	}
}

func TestCheckFailureMessages(t *testing.T) {
	grant := `{"do": "grant", "as": "root", "args": {"user": "bob", "permission": "p"}}`
	cases := []struct{ step, want string }{
		{`{"check": {"user": "bob", "permission": "p", "contexts": ["app:web"]}, "expect": "deny", "expect_rule": "R5"}`,
			"step 3 (check bob p [app:web]): expected deny by R5, got allow by R4"},
		{`{"check": {"user": "bob", "permission": "p", "contexts": []}, "expect": "allow", "expect_rule": "R1"}`,
			"expected allow by R1, got allow by R4"},
		{`{"check": {"user": "bob", "permission": "q", "contexts": []}, "expect": "allow"}`,
			"expected allow, got deny by R5"},
		{`{"check": {"user": "bob", "permission": "p", "contexts": []}, "expect_error": "invalid_argument"}`,
			"expected error invalid_argument, got allow by R4"},
		{`{"check": {"user": "bob", "permission": "bad.perm", "contexts": []}, "expect": "deny"}`,
			`expected deny, got error invalid_argument (unknown permission "bad.perm")`},
		{`{"check": {"user": "bob", "permission": "bad.perm", "contexts": []}, "expect_error": "forbidden"}`,
			"expected error forbidden, got error invalid_argument"},
	}
	for _, c := range cases {
		mustFail(t, newFake(), c.want, rootCreate, grant, c.step)
	}
	mustPass(t, newFake(), rootCreate, grant,
		`{"check": {"user": "bob", "permission": "bad.perm", "contexts": []}, "expect_error": "invalid_argument"}`)
}

func TestCheckByToken(t *testing.T) {
	f := newFake()
	mustPass(t, f, rootCreate, bobCreate,
		`{"do": "login", "args": {"user": "bob", "password": "bobpw"}, "save_token": "b1"}`,
		`{"check": {"token": "b1", "permission": "p", "contexts": []}, "expect": "deny", "expect_rule": "R5"}`,
		`{"do": "token-regenerate", "as": "bob", "args": {}}`,
		`{"check": {"token": "b1", "permission": "p", "contexts": []}, "expect_error": "unauthenticated"}`)
	if f.checks[0].Token == "" || f.checks[0].User != "" {
		t.Fatalf("want a check by token, got %+v", f.checks[0])
	}
}

func TestCommandFailureMessages(t *testing.T) {
	mustFail(t, newFake(), "step 3 (do user-create as root): expected error forbidden, got success (events=1 seq=6)",
		rootCreate, bobCreate,
		`{"do": "user-create", "as": "root", "args": {"user": "carol", "password": "c"}, "expect_error": "forbidden"}`)
	mustFail(t, newFake(), "step 3 (do user-create as root): expected error not_found, got error already_exists (user bob exists)",
		rootCreate, bobCreate,
		`{"do": "user-create", "as": "root", "args": {"user": "bob", "password": "c"}, "expect_error": "not_found"}`)
	mustFail(t, newFake(), "step 3 (do grant as root): expected no events appended, got events=1 seq=6 (last seq 5 -> 6)",
		rootCreate, bobCreate,
		`{"do": "grant", "as": "root", "args": {"user": "bob", "permission": "p"}, "expect_events": 0}`)
	f := newFake()
	f.appendOnError = true
	mustFail(t, f, "step 3 (do user-create as root): expected error already_exists appending nothing, got the error but events=0 and last seq 5 -> 6",
		rootCreate, bobCreate,
		`{"do": "user-create", "as": "root", "args": {"user": "bob", "password": "c"}, "expect_error": "already_exists"}`)
}

func TestAuthenticateMessages(t *testing.T) {
	steps := []string{rootCreate, bobCreate,
		`{"do": "login", "args": {"user": "bob", "password": "bobpw"}, "save_token": "b1"}`}
	mustPass(t, newFake(), append(steps, `{"authenticate": {"token": "b1"}, "expect": "bob"}`)...)
	mustFail(t, newFake(), `step 4 (authenticate token b1): expected user "root", got user "bob"`,
		append(steps, `{"authenticate": {"token": "b1"}, "expect": "root"}`)...)
	mustFail(t, newFake(), `expected error unauthenticated, got user "bob"`,
		append(steps, `{"authenticate": {"token": "b1"}, "expect_error": "unauthenticated"}`)...)
	mustFail(t, newFake(), `expected user "bob", got error unauthenticated (bad token)`,
		append(steps, `{"do": "token-regenerate", "as": "bob", "args": {}}`,
			`{"authenticate": {"token": "b1"}, "expect": "bob"}`)...)
}

func TestRunAllReport(t *testing.T) {
	pass, err := Parse("dir/01-pass.json", []byte(`{"name": "ok", "steps": [`+rootCreate+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	fail, err := Parse("dir/02-fail.json", []byte(`{"name": "bad", "steps": [`+rootCreate+`,
		{"check": {"user": "root", "permission": "p", "contexts": []}, "expect": "allow", "expect_rule": "R1"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	p, f := RunAll(context.Background(), []*Scenario{pass, fail},
		func(context.Context) (Target, error) { return newFake(), nil }, &out)
	want := "PASS 01-pass\n" +
		"FAIL 02-fail: step 2 (check root p []): expected allow by R1, got deny by R5\n" +
		"1 passed, 1 failed\n"
	if p != 1 || f != 1 || out.String() != want {
		t.Fatalf("got %d passed, %d failed:\n%s\nwant:\n%s", p, f, out.String(), want)
	}
}

func TestNewTargetFailure(t *testing.T) {
	sc, err := Parse("x.json", []byte(`{"name": "x", "steps": [`+rootCreate+`]}`))
	if err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), sc, func(context.Context) (Target, error) { return nil, errors.New("boom") })
	if err == nil || !strings.Contains(err.Error(), "starting a fresh ledger: boom") {
		t.Fatalf("got %v", err)
	}
}
