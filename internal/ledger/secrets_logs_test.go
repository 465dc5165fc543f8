package ledger

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// Secrets beyond the data folder (secrets_test.go): the debug log, every
// error message, every stream message (data and headers) and every read
// model key and value are searched for the plaintext passwords and tokens
// the test used. Tokens are only ever looked up by their hash. Commands
// without a valid token are refused. The embedded server listens on
// loopback only.

// syncBuffer is an io.Writer the logger and the test share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secretRun records what a test's commands said and which secrets they used.
type secretRun struct {
	t       *testing.T
	l       *Ledger
	c       *client.Client
	secrets map[string]string // plaintext -> what it is
	said    []string          // every error message and raw reply, tokens removed
}

func (r *secretRun) secret(what, s string) string {
	r.t.Helper()
	if s == "" {
		r.t.Fatalf("no %s: an earlier step failed", what)
	}
	r.secrets[s] = what
	return s
}

// do runs a command over NATS; it returns the token, recording the raw
// reply without it.
func (r *secretRun) do(name, token string, args any) (string, string) {
	r.t.Helper()
	rep, err := r.c.Command(testCtx(r.t), name, "", token, args)
	if rep.Error != nil {
		r.said = append(r.said, rep.Error.Message)
	}
	b, _ := json.Marshal(api.CommandReply{Events: rep.Events, Seq: rep.Seq, Error: rep.Error, Result: rep.Result})
	r.said = append(r.said, string(b))
	return rep.Token, code(err)
}

func TestNoSecretsInLogsErrorsStreamOrReadModel(t *testing.T) {
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := openTest(t, t.TempDir(), func(c *Config) {
		c.Logger = logger
		c.ReadModel.Logger = logger
	})
	defer l.Close()
	r := &secretRun{t: t, l: l, c: client.New(l.Conn), secrets: map[string]string{}}
	exerciseSecrets(r)
	if !strings.Contains(logs.String(), `"command failed"`) || !strings.Contains(logs.String(), "bob@corp.com") {
		t.Fatalf("the debug log holds no failed command naming bob@corp.com: the search would prove nothing\n%.2000s", logs.String())
	}
	search := map[string]string{"the debug log": logs.String(), "error messages and replies": strings.Join(r.said, "\n")}
	search["the stream"] = streamText(t, l)
	search["the read model"] = readModelText(t, l)
	for where, text := range search {
		if !strings.Contains(text, "bob@corp.com") && where != "error messages and replies" {
			t.Errorf("%s does not name bob@corp.com: the search would prove nothing", where)
		}
		for s, what := range r.secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the plaintext %s (%.6s…)", where, what, s)
			}
		}
	}
	t.Logf("searched %d bytes of logs, %d messages, %d bytes of stream, %d bytes of read model for %d secrets",
		len(search["the debug log"]), len(r.said), len(search["the stream"]), len(search["the read model"]), len(r.secrets))
}

// exerciseSecrets runs commands that carry passwords and tokens, failing
// and succeeding.
func exerciseSecrets(r *secretRun) {
	rootPW := r.secret("root password", "root-pw-Zq8!x")
	if _, err := RootUserCreate(testCtx(r.t), r.l, "root@corp.com", rootPW); err != nil {
		r.t.Fatal(err)
	}
	root, _ := r.do("login", "", map[string]string{"user": "root@corp.com", "password": rootPW})
	r.secret("root token", root)
	bobPW := r.secret("bob's password", "bob-pw-Hk3#vLm")
	r.do("user-create", root, map[string]string{"user": "bob@corp.com", "password": bobPW})
	r.do("user-create", root, map[string]string{"user": "bad name", "password": r.secret("rejected password", "rejected-pw-77c")})
	r.do("user-create", root, map[string]string{"user": "bob@corp.com", "password": r.secret("dup password", "dup-pw-5512")})
	r.do("user-create", root, map[string]string{"user": "long@corp.com", "password": r.secret("73-byte password", strings.Repeat("L", 72)+"z")})
	r.do("user-create", root, map[string]string{"user": "victim@corp.com", "password": r.secret("victim's password", "victim-pw-9Jw")})
	for range 6 { // throttled after 5
		r.do("login", "", map[string]string{"user": "victim@corp.com", "password": r.secret("wrong password", "wrong-pw-0oO")})
	}
	bob1, _ := r.do("login", "", map[string]string{"user": "bob@corp.com", "password": bobPW})
	r.secret("bob's first token", bob1)
	bob2, _ := r.do("token-regenerate", bob1, map[string]string{})
	r.secret("bob's regenerated token", bob2)
	r.do("team-create", bob1, map[string]string{"team": "revoked-token"})
	r.do("grant", bob2, map[string]string{"user": "bob@corp.com", "permission": "app.read"})
	r.do("team-create", r.secret("forged token", "pl_forged-token-abcdef0123456789"), map[string]string{"team": "x"})
	reg, _ := r.do("registration-token-issue", root, map[string]any{"user": "carol@corp.com", "ttl_seconds": 60})
	r.secret("registration token", reg)
	carolPW := r.secret("carol's password", "carol-pw-Rt7$")
	carol, _ := r.do("user-register", "", map[string]string{"user": "carol@corp.com", "password": carolPW, "registration_token": reg})
	r.secret("carol's token", carol)
	r.do("user-register", "", map[string]string{"user": "carol@corp.com", "password": carolPW, "registration_token": reg})
	r.do("login", "", map[string]string{"user": "nobody@corp.com", "password": r.secret("unknown user's password", "nobody-pw-4Kd")})
	if _, err := r.c.Authenticate(testCtx(r.t), bob1); err != nil {
		r.said = append(r.said, err.Error())
	}
	if _, err := r.c.Check(testCtx(r.t), api.CheckRequest{Token: bob1, Permission: "app.read"}); err != nil {
		r.said = append(r.said, err.Error())
	}
}

// streamText is every stream message, headers and data.
func streamText(t *testing.T, l *Ledger) string {
	var b strings.Builder
	err := l.Log.ReadUntil(testCtx(t), 1, 0, func(m natslog.Msg) error {
		for k, vs := range m.Header {
			b.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		b.Write(m.Data)
		b.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// readModelText is every key and value of the read model, by diffing it
// with an empty one.
func readModelText(t *testing.T, l *Ledger) string {
	empty, err := readmodel.Open(t.TempDir(), readmodel.Options{CacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer empty.Close()
	if err := l.Store.WaitApplied(context.Background(), l.Store.Floor()); err != nil {
		t.Fatal(err)
	}
	snap := l.Store.Snapshot()
	defer snap.Close()
	diffs, _, err := readmodel.Diff(snap, empty, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range diffs {
		b.WriteString(d.Key + " = " + string(d.Live) + "\n")
	}
	return b.String()
}

// Tokens are stored and looked up only by their SHA-256: authentication is
// a key lookup on the hash, so its time does not depend on how much of a
// guess matches a real token (no byte-by-byte comparison of secrets).
func TestTokensAreLookedUpByHashOnly(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	text := readModelText(t, l)
	if !strings.Contains(text, "k/"+readmodel.HashToken(root)+" = ") {
		t.Fatalf("no k/<sha256(token)> key for the root token in the read model")
	}
	if strings.Contains(text, root) {
		t.Fatal("the read model holds the plaintext token")
	}
	for _, guess := range []string{root[:len(root)-1] + "x", "x" + root[1:], root + "x", root[:10]} {
		if _, err := c.Authenticate(testCtx(t), guess); code(err) != api.CodeUnauthenticated {
			t.Errorf("a near miss of the root token authenticated: %v", err)
		}
	}
}

// Every command that needs an actor refuses a missing, unknown, revoked or
// deleted user's token with unauthenticated, before looking at its
// arguments, and appends nothing.
func TestCommandsWithoutAValidTokenAreRefused(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	mustDo := func(name, token string, args any) string {
		rep, err := c.Command(ctx, name, "", token, args)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rep.Token
	}
	mustDo("user-create", root, map[string]string{"user": "dave", "password": "pw"})
	revoked := mustDo("login", "", map[string]string{"user": "dave", "password": "pw"})
	mustDo("token-regenerate", revoked, map[string]string{})
	mustDo("user-create", root, map[string]string{"user": "erin", "password": "pw"})
	deleted := mustDo("login", "", map[string]string{"user": "erin", "password": "pw"})
	mustDo("user-delete", root, map[string]string{"user": "erin"})
	tokens := map[string]string{"no token": "", "unknown": "pl_" + strings.Repeat("A", 43), "revoked": revoked,
		"deleted user's": deleted, "root's with a byte flipped": root[:len(root)-1] + "!"}
	before := lastSeq(t, l)
	for _, name := range commands.Names() {
		if name == "login" {
			continue // takes no token
		}
		for label, tok := range tokens {
			if tok == "" && name == "user-register" {
				continue // the actor is optional there
			}
			for _, args := range []string{`{}`, `{"bogus":1}`} {
				_, err := c.Command(ctx, name, "", tok, json.RawMessage(args))
				if code(err) != api.CodeUnauthenticated {
					t.Errorf("%s with a %s token and args %s: %v, want unauthenticated", name, label, args, err)
				}
			}
		}
	}
	if got := lastSeq(t, l); got != before {
		t.Errorf("refused commands appended: %d -> %d", before, got)
	}
}

// The embedded server binds loopback unless told otherwise: it cannot be
// reached on any other address of the machine.
func TestEmbeddedServerListensOnLoopbackOnly(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	addr := l.Server.Addr().(*net.TCPAddr)
	if !addr.IP.IsLoopback() {
		t.Fatalf("embedded server listens on %s, want loopback", addr)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() {
			continue
		}
		tried++
		d := net.Dialer{}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ipn.IP.String(), strconv.Itoa(addr.Port)))
		cancel()
		if err == nil {
			conn.Close()
			t.Errorf("the embedded server answers on %s", ipn.IP)
		}
	}
	t.Logf("listening on %s; %d non-loopback addresses refused", addr, tried)
}
