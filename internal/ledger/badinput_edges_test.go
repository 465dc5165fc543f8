package ledger

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/queries"
)

// Bad input at the edges, beyond TestBadInputAppendsNothing: more shapes of
// malformed JSON and wrong types, invalid UTF-8, control characters and
// whitespace, empty permission segments, huge arrays, payloads just below
// NATS's max payload (their events would exceed the stream's limit) and a
// payload above it from a raw client. Each gets the right code, a message
// naming the offending value, nothing is appended, and the server keeps
// serving.

type edgeCase struct {
	name, cmd, body, code, mention string
}

// rawCommand sends body as is on the command's subject and decodes the reply.
func rawCommand(t *testing.T, nc *nats.Conn, cmd, body string) api.CommandReply {
	t.Helper()
	m, err := nc.RequestWithContext(testCtx(t), api.CommandPrefix+cmd, []byte(body))
	if err != nil {
		t.Fatalf("%s: %v", cmd, err)
	}
	var rep api.CommandReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		t.Fatalf("%s: reply %.200q: %v", cmd, m.Data, err)
	}
	return rep
}

// runEdgeCases runs each case and checks code, message and log.
func runEdgeCases(t *testing.T, l *Ledger, cases []edgeCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := lastSeq(t, l)
			rep := rawCommand(t, l.Conn, tc.cmd, tc.body)
			if rep.Error == nil || rep.Error.Code != tc.code {
				t.Fatalf("reply %+v, want error %s", rep, tc.code)
			}
			if !strings.Contains(rep.Error.Message, tc.mention) {
				t.Errorf("message %.300q does not name %q", rep.Error.Message, tc.mention)
			}
			if got := lastSeq(t, l); got != before {
				t.Errorf("appended: %d -> %d", before, got)
			}
		})
	}
}

func TestBadInputEdges(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	if _, err := c.Command(ctx, "role-add", "", root, map[string]string{"role": "dev", "context": "team"}); err != nil {
		t.Fatal(err)
	}
	tok, _ := json.Marshal(root)
	with := func(args string) string { return `{"token":` + string(tok) + `,"args":` + args + `}` }
	var cases []edgeCase
	cases = append(cases, malformedCases(with, string(tok))...)
	cases = append(cases, wrongTypeCases(with)...)
	cases = append(cases, nameCases(with)...)
	cases = append(cases, permissionCases(with)...)
	cases = append(cases, hugeCases(with, l.Conn.MaxPayload())...)
	runEdgeCases(t, l, cases)
	if _, err := c.Command(ctx, "team-create", "", root, map[string]string{"team": "still-serving"}); err != nil {
		t.Errorf("after bad input the server should keep serving: %v", err)
	}
}

func malformedCases(with func(string) string, tok string) []edgeCase {
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	return []edgeCase{
		{"empty body", "team-create", ``, api.CodeInvalidArgument, "malformed"},
		{"trailing data", "team-create", with(`{"team":"a"}`) + ` {}`, api.CodeInvalidArgument, "trailing"},
		{"byte order mark", "team-create", "\xef\xbb\xbf" + with(`{"team":"a"}`), api.CodeInvalidArgument, "malformed"},
		{"nested 20000 deep", "team-create", with(`{"team":` + deep + `}`), api.CodeInvalidArgument, "depth"},
		{"request key in another case", "team-create", `{"Token":` + tok + `,"args":{"team":"a"}}`, api.CodeInvalidArgument, "Token"},
		{"duplicate request key", "team-create", `{"token":"nope","token":` + tok + `,"args":{"team":"a"}}`, api.CodeInvalidArgument, "token"},
		{"argument key in another case", "team-create", with(`{"team":"a","Team":"b"}`), api.CodeInvalidArgument, "Team"},
		{"duplicate argument", "team-create", with(`{"team":"a","team":"b"}`), api.CodeInvalidArgument, "team"},
		{"unknown nested field", "migrate", with(`{"snapshot":{"admin_team":"a","teams":["a"],"users":[],"colour":1}}`), api.CodeInvalidArgument, "colour"},
	}
}

func wrongTypeCases(with func(string) string) []edgeCase {
	return []edgeCase{
		{"args an array", "team-create", with(`[]`), api.CodeInvalidArgument, "team-create"},
		{"args a string", "team-create", with(`"blue"`), api.CodeInvalidArgument, "team-create"},
		{"token a number", "team-create", `{"token":42,"args":{"team":"a"}}`, api.CodeInvalidArgument, "token"},
		{"command id an object", "team-create", `{"command_id":{},"args":{"team":"a"}}`, api.CodeInvalidArgument, "command_id"},
		{"permissions a string", "role-permission-add", with(`{"role":"dev","permissions":"app.read"}`), api.CodeInvalidArgument, "permissions"},
		{"bool as a string", "admin-set", with(`{"user":"root@corp.com","admin":"false"}`), api.CodeInvalidArgument, "admin"},
		{"fractional ttl", "registration-token-issue", with(`{"ttl_seconds":1.5}`), api.CodeInvalidArgument, "ttl_seconds"},
		{"ttl beyond int64", "registration-token-issue", with(`{"ttl_seconds":1e400}`), api.CodeInvalidArgument, "ttl_seconds"},
		{"ttl as a string", "registration-token-issue", with(`{"ttl_seconds":"60"}`), api.CodeInvalidArgument, "ttl_seconds"},
		{"null where a name goes", "team-create", with(`{"team":null}`), api.CodeInvalidArgument, "team"},
		{"huge array where a name goes", "team-create", with(`{"team":[` + strings.Repeat(`1,`, 100000) + `1]}`), api.CodeInvalidArgument, "team"},
	}
}

// nameCases: user, team and role names (SEMANTICS section 1: 1-254 chars,
// no whitespace, no control characters, never trimmed; role-add trims).
func nameCases(with func(string) string) []edgeCase {
	team := func(label, raw, mention string) edgeCase {
		return edgeCase{"team " + label, "team-create", with(`{"team":"` + raw + `"}`), api.CodeInvalidArgument, mention}
	}
	return []edgeCase{
		team("invalid UTF-8", "blue\xff", "blue"), // encoding/json makes it U+FFFD
		team("truncated UTF-8", "\xc3", "team"),
		team("NUL", `a\u0000b`, "control"),
		team("DEL", `a\u007fb`, "control"),
		team("C1 control NEL", `a\u0085b`, "team"),
		team("tab", `a\tb`, "whitespace"),
		team("newline", `a\nb`, "whitespace"),
		team("leading space", ` blue`, "whitespace"),
		team("trailing space", `blue `, "whitespace"),
		team("no-break space", `a\u00a0b`, "whitespace"),
		team("line separator", `a\u2028b`, "whitespace"),
		team("empty", ``, "empty"),
		team("255 characters", strings.Repeat("é", 255), "255 characters"),
		{"user with a tab", "user-create", with(`{"user":"bob\t@corp.com","password":"pw"}`), api.CodeInvalidArgument, "whitespace"},
		{"user invalid UTF-8", "user-create", with(`{"user":"` + "\xc3\x28" + `","password":"pw"}`), api.CodeInvalidArgument, "user"},
		{"role only spaces", "role-add", with(`{"role":"   ","context":"team"}`), api.CodeInvalidArgument, "empty"},
		{"role with inner space", "role-add", with(`{"role":"dev ops","context":"team"}`), api.CodeInvalidArgument, "dev ops"},
		{"password of 73 bytes", "user-create", with(`{"user":"bob","password":"` + strings.Repeat("p", 73) + `"}`), api.CodeInvalidArgument, "73 bytes"},
		{"empty password", "user-create", with(`{"user":"bob","password":""}`), api.CodeInvalidArgument, "0 bytes"},
		{"context value with a space", "grant", with(`{"user":"root@corp.com","permission":"app.read","context":"team:a b"}`), api.CodeInvalidArgument, "team:a b"},
		{"context value with a control", "grant", with(`{"user":"root@corp.com","permission":"app.read","context":"team:a\u0001"}`), api.CodeInvalidArgument, "control"},
		{"assignment value with a space", "role-assign", with(`{"role":"dev","user":"root@corp.com","value":"a b"}`), api.CodeInvalidArgument, "a b"},
	}
}

func permissionCases(with func(string) string) []edgeCase {
	grant := func(perm string) edgeCase {
		return edgeCase{"grant " + fmt.Sprintf("%q", perm), "grant",
			with(`{"user":"root@corp.com","permission":"` + perm + `"}`), api.CodeInvalidArgument, perm}
	}
	return []edgeCase{
		grant(".app"), grant("app."), grant("."), grant("app...read"), grant("app. read"),
		{"grant empty permission", "grant", with(`{"user":"root@corp.com","permission":""}`), api.CodeInvalidArgument, `""`},
		{"role-permission-add empty segment", "role-permission-add", with(`{"role":"dev","permissions":["app.read","app..read"]}`), api.CodeInvalidArgument, "app..read"},
		{"role-permission-add no permissions", "role-permission-add", with(`{"role":"dev","permissions":[]}`), api.CodeInvalidArgument, "permission"},
		{"role-permission-remove trailing dot", "role-permission-remove", with(`{"role":"dev","permissions":["app."]}`), api.CodeInvalidArgument, "app."},
	}
}

// hugeCases: arrays and payloads near NATS's limit. The role-add requests
// are below the max payload, but their event would exceed the stream's
// message limit: invalid_argument, never unavailable.
func hugeCases(with func(string) string, maxPayload int64) []edgeCase {
	perms := strings.Repeat(`"app.read",`, 50000) + `"app.nope"`
	desc := func(fill string, size int) string {
		return with(`{"role":"big","context":"global","description":"` + strings.Repeat(fill, size) + `"}`)
	}
	justBelow := int(maxPayload) - len(desc("", 0)) - 8
	return []edgeCase{
		{"50001 permissions, the last unknown", "role-permission-add", with(`{"role":"dev","permissions":[` + perms + `]}`), api.CodeInvalidArgument, "app.nope"},
		{"description just below the max payload", "role-add", desc("d", justBelow), api.CodeInvalidArgument, "size limit"},
		{"description that escapes beyond the limit", "role-add", desc("<", int(maxPayload)/5), api.CodeInvalidArgument, "size limit"},
		{"name just below the max payload", "team-create", with(`{"team":"` + strings.Repeat("t", int(maxPayload)-100) + `"}`), api.CodeInvalidArgument, "characters"},
	}
}

// A check with exactly queries.MaxContexts contexts is answered; one more
// is invalid_argument; malformed check requests too.
func TestBadCheckEdges(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	rootToken(t, l, c)
	ctx := testCtx(t)
	many := make([]string, queries.MaxContexts)
	for i := range many {
		many[i] = fmt.Sprintf("team:t%d", i)
	}
	if rep, err := c.Check(ctx, checkReq("root@corp.com", "app.read", many...)); err != nil || !rep.Allowed {
		t.Errorf("%d contexts: %+v, %v; want an answer", len(many), rep, err)
	}
	if _, err := c.Check(ctx, checkReq("root@corp.com", "app.read", append(many, "team:one-more")...)); code(err) != api.CodeInvalidArgument {
		t.Errorf("%d contexts: err = %v, want invalid_argument", len(many)+1, err)
	}
	for _, body := range []string{``, `{"user":"root@corp.com","permission":"app.read","contexts":[]} x`,
		`{"user":"root@corp.com","permission":"app.read","contexts":[],"colour":1}`,
		`{"user":"root@corp.com","permission":".app","contexts":[]}`,
		`{"user":"root@corp.com","permission":"app..read","contexts":[]}`,
		`{"user":"root@corp.com","permission":"app.read","contexts":["team:a b"]}`,
		`{"user":"root@corp.com","permission":"app.read","contexts":"team:a"}`,
		`{"user":"root\u0000","permission":"app.read","contexts":[]}`,
		`{"user":"root@corp.com","permission":"app.read\xff","contexts":[]}`} {
		m, err := l.Conn.RequestWithContext(ctx, api.SubjectCheck, []byte(body))
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		var rep api.CheckReply
		if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error == nil || rep.Error.Code != api.CodeInvalidArgument {
			t.Errorf("check %.80q: reply %s, want invalid_argument", body, m.Data)
		}
	}
}

// A client that publishes beyond the max payload is dropped by the server;
// nothing is appended and everyone else is still served.
func TestPayloadAboveMaxDropsOnlyThatClient(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	before := lastSeq(t, l)
	conn, err := net.Dial("tcp", l.Server.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(conn)
	if info, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(info, "INFO ") {
		t.Fatalf("greeting %q, %v", info, err)
	}
	n := int(l.Conn.MaxPayload()) + 1
	body := `{"token":"` + root + `","args":{"team":"` + strings.Repeat("x", n) + `"}}`
	fmt.Fprintf(conn, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPUB %steam-create _INBOX.raw %d\r\n", api.CommandPrefix, len(body))
	_, _ = conn.Write([]byte(body + "\r\n")) // the server may close before reading it all
	var got []string
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			got = append(got, strings.TrimSpace(line))
		}
		if err != nil {
			break // EOF or reset: the server dropped us
		}
	}
	if !strings.Contains(strings.Join(got, " "), "Maximum Payload") {
		t.Errorf("server said %q, want a Maximum Payload error before closing", got)
	}
	if _, err := c.Command(testCtx(t), "team-create", "", root, map[string]string{"team": "other-client"}); err != nil {
		t.Errorf("another client after the violation: %v", err)
	}
	if got, want := lastSeq(t, l), before+1; got != want {
		t.Errorf("last seq %d, want %d: only the other client's command appends", got, want)
	}
}

// A value the error message echoes must not push the reply over the max
// payload: the reply would be dropped and the client would see a timeout
// (unavailable) instead of invalid_argument.
func TestEchoedHugeValuesAreStillAnswered(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	tok, _ := json.Marshal(root)
	n := int(l.Conn.MaxPayload()) - 300
	for _, tc := range []struct{ name, subject, body string }{
		{"check, unknown context type echoed twice", api.SubjectCheck,
			`{"user":"root@corp.com","permission":"app.read","contexts":["` + strings.Repeat("p", n) + `:x"]}`},
		{"grant, permission of '<' escaped by JSON", api.CommandPrefix + "grant",
			`{"token":` + string(tok) + `,"args":{"user":"root@corp.com","permission":"` + strings.Repeat("<", n/2) + `"}}`},
		{"check, permission of '<' escaped by JSON", api.SubjectCheck,
			`{"user":"root@corp.com","permission":"` + strings.Repeat("<", n/2) + `","contexts":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			m, err := l.Conn.RequestWithContext(ctx, tc.subject, []byte(tc.body))
			if err != nil {
				t.Fatalf("no reply (the client would say unavailable): %v", err)
			}
			var rep struct{ Error *api.Error }
			if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error == nil || rep.Error.Code != api.CodeInvalidArgument {
				t.Fatalf("reply %.200s, want invalid_argument", m.Data)
			}
		})
	}
}
