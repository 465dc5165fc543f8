package httpapi

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

// userToken creates an active user and logs it in.
func (f *fixture) userToken(t *testing.T, user string) string {
	t.Helper()
	c := client.New(f.l.Conn)
	ctx := context.Background()
	if _, err := c.Command(ctx, "user-create", "", f.token, map[string]string{"user": user, "password": "pw"}); err != nil {
		t.Fatalf("user-create %s: %v", user, err)
	}
	rep, err := c.Command(ctx, "login", "", "", map[string]string{"user": user, "password": "pw"})
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return rep.Token
}

func (f *fixture) get(t *testing.T, path, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	status, _, body := f.send(t, req)
	return status, body
}

func TestReadRoutesStatuses(t *testing.T) {
	f := newFixture(t, Config{})
	root, bob := "Bearer "+f.token, "Bearer "+f.userToken(t, "bob@corp.com")
	cases := []struct {
		path, token string
		status      int
		code        string
	}{
		{"/v1/roles", "", 401, api.CodeUnauthenticated},
		{"/v1/roles", "Basic cm9vdDpyb290cHc=", 401, api.CodeUnauthenticated},
		{"/v1/roles", "Bearer not-a-token", 401, api.CodeUnauthenticated},
		{"/v1/roles", bob, 200, ""},
		{"/v1/roles?colour=blue", bob, 400, api.CodeInvalidArgument},
		{"/v1/roles?min_seq=x", bob, 400, api.CodeInvalidArgument},
		{"/v1/roles/AllowAll", bob, 200, ""},
		{"/v1/roles/nope", bob, 404, api.CodeNotFound},
		{"/v1/permissions", bob, 200, ""},
		{"/v1/users", bob, 403, api.CodeForbidden},
		{"/v1/users?limit=abc", root, 400, api.CodeInvalidArgument},
		{"/v1/users?limit=1&limit=2", root, 400, api.CodeInvalidArgument},
		{"/v1/users?limit=1", root, 200, ""},
		{"/v1/users/bob@corp.com/permissions", bob, 200, ""},
		{"/v1/users/root@corp.com/permissions", bob, 403, api.CodeForbidden},
		{"/v1/users/nobody@corp.com/permissions", root, 404, api.CodeNotFound},
		{"/v1/users/bob@corp.com/history", bob, 200, ""},
		{"/v1/users/bob@corp.com/history?from_seq=1&from_time=2000-01-01T00:00:00Z", bob, 400, api.CodeInvalidArgument},
		{"/v1/users/root@corp.com/history", bob, 403, api.CodeForbidden},
	}
	for _, c := range cases {
		status, body := f.get(t, c.path, c.token)
		if status != c.status {
			t.Errorf("GET %s: status %d, want %d (body %s)", c.path, status, c.status, body)
			continue
		}
		if c.code != "" {
			assertError(t, body, c.code)
		}
	}
	status, body := f.get(t, "/v1/users?limit=1", root)
	if rep := decodeInto[api.UserListReply](t, body); status != 200 || len(rep.Users) != 1 || rep.Next != "bob@corp.com" {
		t.Errorf("a page of one user: %d %+v; want bob@corp.com and next", status, rep)
	}
}

func TestBatchCheckAndExplain(t *testing.T) {
	f := newFixture(t, Config{})
	body := `{"checks": [{"user": "root@corp.com", "permission": "app.deploy", "contexts": []},
		{"user": "alice@corp.com", "permission": "app.deploy", "contexts": []},
		{"user": "root@corp.com", "permission": "app.fly", "contexts": []}]}`
	status, out := f.do(t, "POST", "/v1/check/batch", body)
	rep := decodeInto[api.BatchCheckReply](t, out)
	if status != 200 || len(rep.Results) != 3 || !rep.Results[0].Allowed || rep.Results[1].Allowed || rep.Results[1].Rule != "R5" ||
		rep.Results[2].Error == nil || rep.Results[2].Error.Code != api.CodeInvalidArgument {
		t.Errorf("batch: %d %s; want allow, deny R5, invalid_argument in order", status, out)
	}
	many := `{"checks": [` + strings.Repeat(`{"user": "root@corp.com", "permission": "app.deploy", "contexts": []},`, api.MaxBatchChecks) +
		`{"user": "root@corp.com", "permission": "app.deploy", "contexts": []}]}`
	if status, out := f.do(t, "POST", "/v1/check/batch", many); status != 400 {
		t.Errorf("a batch of %d: %d %s; want 400", api.MaxBatchChecks+1, status, out)
	}
	status, out = f.do(t, "POST", "/v1/explain", `{"user": "root@corp.com", "permission": "pool.create", "contexts": []}`)
	if x := decodeInto[api.CheckReply](t, out); status != 200 || x.Explanation == nil || x.Explanation.Match == nil || x.Explanation.Match.Kind != "admin" {
		t.Errorf("explain: %d %s; want an explanation matching the admin flag", status, out)
	}
	status, out = f.do(t, "POST", "/v1/explain", `{"user": "root@corp.com", "permission": "pool.fly", "contexts": []}`)
	if status != 400 {
		t.Errorf("explain an unknown permission: %d %s; want 400", status, out)
	}
}

// lockedBuffer collects logs written by concurrent handlers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRequestIDsAndLogs(t *testing.T) {
	var logs lockedBuffer
	f := newFixture(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	req, _ := http.NewRequest("GET", f.srv.URL+"/v1/roles", nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("X-Request-Id", "req-42")
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "req-42" {
		t.Errorf("X-Request-Id = %q, want the client's req-42", got)
	}
	req, _ = http.NewRequest("GET", f.srv.URL+"/v1/roles", nil)
	req.Header.Set("X-Request-Id", "not an id; "+strings.Repeat("x", 80))
	resp, err = f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); len(got) != 24 {
		t.Errorf("X-Request-Id = %q, want a new 24-hex-digit id", got)
	}
	out := logs.String()
	for _, want := range []string{`"request_id":"req-42"`, `"route":"GET /v1/roles"`, `"status":401`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, f.token) {
		t.Errorf("a token was logged:\n%s", out)
	}
}
