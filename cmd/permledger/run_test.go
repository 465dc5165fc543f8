package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

// syncBuffer is a bytes.Buffer that a running serve writes while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noEnv is an environment with nothing set.
func noEnv(string) string { return "" }

// result is one finished run.
type result struct {
	stdout, stderr string
	err            error
	code           int
}

// permledger runs the program to its end with stdin.
func permledger(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, args, noEnv, strings.NewReader(stdin), &out, &errOut)
	var printed bytes.Buffer
	code := exitCode(err, &printed)
	return result{stdout: out.String(), stderr: errOut.String() + printed.String(), err: err, code: code}
}

// server is a serve running in the background.
type server struct {
	nats, http string
	cancel     context.CancelFunc
	done       chan error
	stderr     *syncBuffer
	stopOnce   sync.Once
	stopErr    error
}

// startServe runs `serve` on dir with free ports and waits for its ready line.
func startServe(t *testing.T, dir string) *server {
	t.Helper()
	args := []string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0", "--bcrypt-cost", "4"}
	return startServeWith(t, dir, args, noEnv)
}

// startServeWith runs permledger with args (serve ... on dir) and getenv,
// and waits for its ready line.
func startServeWith(t *testing.T, dir string, args []string, getenv func(string) string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{cancel: cancel, done: make(chan error, 1), stderr: &syncBuffer{}}
	stdout := &syncBuffer{}
	go func() { s.done <- run(ctx, args, getenv, strings.NewReader(""), stdout, s.stderr) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(stdout.String(), "\n") {
		select {
		case err := <-s.done:
			s.done <- err
			t.Fatalf("serve exited before it was ready: %v\nstderr: %s", err, s.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within 20s; stderr: %s", s.stderr)
		}
	}
	line := strings.TrimSpace(stdout.String())
	if _, err := fmt.Sscanf(line, "permledger serving: nats=%s http=%s", &s.nats, &s.http); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	if want := "data=" + dir; !strings.HasSuffix(line, want) {
		t.Errorf("ready line %q does not end with %q", line, want)
	}
	return s
}

// stop cancels serve's context and returns what run returned.
func (s *server) stop(t *testing.T) error {
	t.Helper()
	s.stopOnce.Do(func() {
		s.cancel()
		select {
		case s.stopErr = <-s.done:
		case <-time.After(20 * time.Second):
			t.Fatalf("serve did not stop within 20s")
		}
	})
	return s.stopErr
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeStartsAnswersAndStops(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, dir)
	if code, body := httpGet(t, s.http+"/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", code, body)
	}
	if code, body := httpGet(t, s.http+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q, want 200", code, body)
	}
	fi, err := os.Stat(filepath.Join(dir, "admin.sock"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("admin socket: %v, mode %v; want mode 0600", err, fi.Mode())
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve returned %v, want nil after its context was cancelled", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "admin.sock")); !os.IsNotExist(err) {
		t.Errorf("admin socket left behind after exit: %v", err)
	}
	if logs := s.stderr.String(); !strings.Contains(logs, `"msg":"stopped"`) {
		t.Errorf("no JSON log of the stop on stderr: %s", logs)
	}
}

func TestServeOwnsItsAdminSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "admin.sock")
	// A serve killed hard leaves its socket behind: make one that way.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	s := startServe(t, dir)
	r := permledger(t, "", "serve", "--data", dir, "--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "another permledger serve owns") {
		t.Errorf("a second serve on the same data: exit %d, stderr %q; want 2, another permledger serve owns", r.code, r.stderr)
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sock, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r = permledger(t, "", "serve", "--data", dir, "--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0")
	if r.code != 2 || !strings.Contains(r.stderr, "is not a socket") {
		t.Errorf("serve with a regular file as admin.sock: exit %d, stderr %q; want 2, is not a socket", r.code, r.stderr)
	}
}

func TestRootUserCreateLocallyAndThroughServe(t *testing.T) {
	dir := t.TempDir()
	r := permledger(t, "rootpw\n", "root-user-create", "--data", dir, "--bcrypt-cost", "4", "root@corp.com")
	if r.err != nil || !strings.HasPrefix(r.stdout, "root user root@corp.com created or updated (") {
		t.Fatalf("root-user-create without a serve: %v, stdout %q, stderr %q", r.err, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "rootpw") {
		t.Errorf("the password was echoed: %q %q", r.stdout, r.stderr)
	}
	s := startServe(t, dir)
	r = permledger(t, "bobpw", "root-user-create", "--data", dir, "--json", "bob@corp.com")
	var rep api.CommandReply
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.err != nil || err != nil || rep.Events == 0 || rep.Seq == 0 {
		t.Fatalf("root-user-create through serve: %v, stdout %q (%v), stderr %q", r.err, r.stdout, err, r.stderr)
	}
	if strings.Contains(s.stderr.String(), "bobpw") {
		t.Errorf("serve logged the password: %s", s.stderr)
	}
	r = permledger(t, "rootpw", "root-user-create", "--data", dir, "root@corp.com")
	if want := fmt.Sprintf("root user root@corp.com is up to date (seq %d)\n", rep.Seq); r.err != nil || r.stdout != want {
		t.Errorf("re-run: %v, stdout %q, want %q", r.err, r.stdout, want)
	}
	minSeq := fmt.Sprint(rep.Seq)
	for _, user := range []string{"root@corp.com", "bob@corp.com"} {
		r = permledger(t, "", "check", "--server", s.nats, "--min-seq", minSeq, user, "pool.create")
		if r.code != 0 || r.stdout != "allow (R1)\n" {
			t.Errorf("check %s: exit %d, stdout %q, stderr %q; want 0, allow (R1)", user, r.code, r.stdout, r.stderr)
		}
	}
	checkAnswers(t, s, minSeq)
	adminSocketRefuses(t, dir)
}

// adminSocketRefuses covers the admin socket's answers to bad requests.
func adminSocketRefuses(t *testing.T, dir string) {
	t.Helper()
	for _, req := range []adminRequest{
		{Command: "user-delete", Args: json.RawMessage(`{"user":"root@corp.com"}`)},
		{Command: "root-user-create", Args: json.RawMessage(`{"user":"x@corp.com","User":"root@corp.com","password":"pw"}`)},
	} {
		rep, reached, err := adminCall(context.Background(), dir, req)
		if !reached || err != nil || rep.Error == nil || rep.Error.Code != api.CodeInvalidArgument || rep.Events != 0 {
			t.Errorf("admin %s %s: reached %v, %v, reply %+v; want invalid_argument", req.Command, req.Args, reached, err, rep)
		}
	}
}

// checkAnswers covers check's deny and error exits and the interleaved flags.
func checkAnswers(t *testing.T, s *server, minSeq string) {
	t.Helper()
	r := permledger(t, "", "check", "alice@corp.com", "app.read", "team:blue", "--server", s.nats, "--min-seq", minSeq)
	if r.code != 1 || r.stdout != "deny (R5)\n" {
		t.Errorf("check a stranger: exit %d, stdout %q, stderr %q; want 1, deny (R5)", r.code, r.stdout, r.stderr)
	}
	r = permledger(t, "", "check", "--server", s.nats, "root@corp.com", "no.such.permission")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "permledger: invalid_argument: ") {
		t.Errorf("check an unknown permission: exit %d, stderr %q; want 2, permledger: invalid_argument: ...", r.code, r.stderr)
	}
	nc, err := nats.Connect(s.nats)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	login, err := client.New(nc).Command(context.Background(), "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	r = permledger(t, login.Token+"\n", "authenticate", "--server", s.nats, "-")
	if r.code != 0 || r.stdout != "root@corp.com (admin)\n" {
		t.Errorf("authenticate: exit %d, stdout %q, stderr %q; want 0, root@corp.com (admin)", r.code, r.stdout, r.stderr)
	}
	r = permledger(t, "", "authenticate", "--server", s.nats, "not-a-token")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "permledger: unauthenticated: ") {
		t.Errorf("authenticate a bad token: exit %d, stderr %q; want 1, permledger: unauthenticated: ...", r.code, r.stderr)
	}
}

func TestRootUserCreateNeedsAPassword(t *testing.T) {
	r := permledger(t, "", "root-user-create", "--data", t.TempDir(), "root@corp.com")
	if r.code != 2 || !strings.Contains(r.stderr, "no password given") {
		t.Errorf("exit %d, stderr %q; want 2, no password given", r.code, r.stderr)
	}
}

func TestCheckWithoutAServer(t *testing.T) {
	r := permledger(t, "", "check", "--server", "nats://127.0.0.1:1", "--timeout", "1s", "root@corp.com", "pool.create")
	if r.code != 2 || !strings.HasPrefix(r.stderr, "permledger: unavailable: ") {
		t.Errorf("exit %d, stderr %q; want 2, permledger: unavailable: ...", r.code, r.stderr)
	}
}

const sharedScenarios = "../../../shared/conformance"

func TestConformance(t *testing.T) {
	file := filepath.Join(sharedScenarios, "01-root-bootstrap.json")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("no shared scenarios: %v", err)
	}
	r := permledger(t, "", "conformance", file)
	if r.code != 0 || r.stdout != "PASS 01-root-bootstrap\n1 passed, 0 failed\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestConformanceUnknownKeyFails(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"name": "x", "steps": [], "colour": "blue"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := permledger(t, "", "conformance", bad)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 1 || len(lines) != 2 || !strings.HasPrefix(lines[0], "FAIL "+bad+": ") || lines[1] != "0 passed, 1 failed" {
		t.Errorf("exit %d, stdout %q; want 1, a FAIL line naming the file, then 0 passed, 1 failed", r.code, r.stdout)
	}
}

func TestHelpAndUsage(t *testing.T) {
	r := permledger(t, "", "help")
	for _, name := range []string{"serve", "root-user-create", "check", "authenticate", "conformance"} {
		if r.code != 0 || !strings.Contains(r.stdout, "\n  "+name+" ") {
			t.Errorf("help: exit %d, stdout lacks %s: %q", r.code, name, r.stdout)
		}
	}
	r = permledger(t, "", "check", "-h")
	if r.code != 0 || !strings.Contains(r.stderr, "usage: permledger check") || !strings.Contains(r.stderr, "example:") ||
		!strings.Contains(r.stderr, "-min-seq") {
		t.Errorf("check -h: exit %d, stderr %q", r.code, r.stderr)
	}
	r = permledger(t, "", "help", "serve")
	if r.code != 0 || !strings.Contains(r.stdout, "usage: permledger serve") || !strings.Contains(r.stdout, "-sync") {
		t.Errorf("help serve: exit %d, stdout %q", r.code, r.stdout)
	}
	cases := [][]string{
		{},
		{"frobnicate"},
		{"check", "--no-such-flag", "u", "p"},
		{"check", "only-a-user"},
		{"serve", "--sync", "sometimes", "--replicas", "2"},
	}
	for _, args := range cases {
		if r := permledger(t, "", args...); r.code != 2 || !strings.Contains(r.stderr, "usage: permledger") && !strings.Contains(r.stderr, "permledger serve:") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, r.code, r.stderr)
		}
	}
}

func TestParseArgsInterleaved(t *testing.T) {
	e := &environ{getenv: noEnv, stderr: io.Discard}
	fs := newFlagSet(e, usage{name: "t"})
	j := fs.Bool("json", false, "")
	pos, err := parseArgs(fs, []string{"a", "--json", "b", "--", "-c", "--json"}, 0, -1)
	if err != nil || !*j || strings.Join(pos, " ") != "a b -c --json" {
		t.Errorf("got %q, json=%v, err %v; want [a b -c --json], json=true", pos, *j, err)
	}
}
