package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/metrics"
	"github.com/permledger/permledger/internal/natsserver"
	"github.com/permledger/permledger/readmodel"
)

// fixture is a real embedded ledger with a root user, behind the HTTP API.
type fixture struct {
	l     *ledger.Ledger
	srv   *httptest.Server
	token string // the root user's
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	l, err := ledger.Open(ctx, ledger.Config{DataDir: t.TempDir(), Embedded: natsserver.Config{Port: -1},
		BcryptCost: 4, ServeAPI: true, Metrics: m.Hooks()})
	if err != nil {
		t.Fatalf("opening the ledger: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatalf("root-user-create: %v", err)
	}
	rep, err := client.New(l.Conn).Command(ctx, "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	cfg.Gatherer = reg
	cfg.ObserveCheck = func(allowed bool, err error, d time.Duration) {
		m.ObserveCheck(metrics.InterfaceHTTP, allowed, err, d)
	}
	srv := httptest.NewServer(New(l, cfg))
	t.Cleanup(srv.Close)
	return &fixture{l: l, srv: srv, token: rep.Token}
}

// do sends method path with body and returns the status and the body.
func (f *fixture) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func decodeInto[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return v
}

func TestCheck(t *testing.T) {
	f := newFixture(t, Config{})
	cases := []struct {
		name, body string
		status     int
		allowed    bool
		rule, code string
	}{
		{"root allowed by R1", `{"user":"root@corp.com","permission":"pool.create","contexts":[]}`, 200, true, "R1", ""},
		{"root by token", fmt.Sprintf(`{"token":%q,"permission":"app.read","contexts":["team:blue"]}`, f.token), 200, true, "R1", ""},
		{"stranger denied by R5", `{"user":"alice@corp.com","permission":"app.read","contexts":[]}`, 200, false, "R5", ""},
		{"unknown permission", `{"user":"root@corp.com","permission":"no.such.thing","contexts":[]}`, 400, false, "", api.CodeInvalidArgument},
		{"unknown field", `{"user":"root@corp.com","permission":"app.read","contexts":[],"bogus":1}`, 400, false, "", api.CodeInvalidArgument},
		{"key in another case", `{"user":"alice@corp.com","User":"root@corp.com","permission":"app.read","contexts":[]}`, 400, false, "", api.CodeInvalidArgument},
		{"trailing data", `{"user":"root@corp.com","permission":"app.read","contexts":[]} {}`, 400, false, "", api.CodeInvalidArgument},
		{"not JSON", `allow me`, 400, false, "", api.CodeInvalidArgument},
		{"bad token", `{"token":"nope","permission":"app.read","contexts":[]}`, 401, false, "", api.CodeUnauthenticated},
		{"bad at_time", `{"user":"root@corp.com","permission":"app.read","contexts":[],"at_time":"yesterday"}`, 400, false, "", api.CodeInvalidArgument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := f.do(t, "POST", "/v1/check", c.body)
			if status != c.status {
				t.Fatalf("status = %d, want %d (body %s)", status, c.status, body)
			}
			if c.code != "" {
				assertError(t, body, c.code)
				return
			}
			rep := decodeInto[api.CheckReply](t, body)
			if rep.Allowed != c.allowed || rep.Rule != c.rule || rep.Seq == 0 {
				t.Errorf("reply = %+v, want allowed=%v rule=%s and a sequence", rep, c.allowed, c.rule)
			}
		})
	}
}

func assertError(t *testing.T, body, code string) {
	t.Helper()
	var e struct{ Error *api.Error }
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == nil {
		t.Fatalf("body %q is not an error object (%v)", body, err)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error = %+v, want code %s and a message", e.Error, code)
	}
}

func TestCheckExplainAndMinSeq(t *testing.T) {
	f := newFixture(t, Config{})
	seq := f.l.Queries.Applied()
	body := fmt.Sprintf(`{"user":"root@corp.com","permission":"pool.create","contexts":[],"explain":true,"min_seq":%d}`, seq)
	status, out := f.do(t, "POST", "/v1/check", body)
	if status != 200 {
		t.Fatalf("status = %d, body %s", status, out)
	}
	rep := decodeInto[api.CheckReply](t, out)
	if rep.Explanation == nil || rep.Explanation.Rule != "R1" || rep.Seq < seq {
		t.Errorf("reply = %+v, want an R1 explanation at seq >= %d", rep, seq)
	}
}

func TestCheckMinSeqBeyondLogTimesOut(t *testing.T) {
	f := newFixture(t, Config{Timeout: 100 * time.Millisecond})
	body := `{"user":"root@corp.com","permission":"pool.create","contexts":[],"min_seq":1000000}`
	status, out := f.do(t, "POST", "/v1/check", body)
	if status != http.StatusServiceUnavailable {
		t.Fatalf("status = %d, want 503 (body %s)", status, out)
	}
	assertError(t, out, api.CodeUnavailable)
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, Config{MaxBodyBytes: 64})
	body := `{"user":"root@corp.com","permission":"app.read","contexts":["` + strings.Repeat("x", 100) + `"]}`
	status, out := f.do(t, "POST", "/v1/check", body)
	if status != 400 {
		t.Fatalf("status = %d, want 400 (body %s)", status, out)
	}
	assertError(t, out, api.CodeInvalidArgument)
}

func TestAuthenticate(t *testing.T) {
	f := newFixture(t, Config{})
	status, body := f.do(t, "POST", "/v1/authenticate", fmt.Sprintf(`{"token":%q}`, f.token))
	if status != 200 {
		t.Fatalf("status = %d, body %s", status, body)
	}
	if rep := decodeInto[api.AuthenticateReply](t, body); rep.User != "root@corp.com" || !rep.Admin {
		t.Errorf("reply = %+v, want root@corp.com, admin", rep)
	}
	status, body = f.do(t, "POST", "/v1/authenticate", `{"token":"not-a-token"}`)
	if status != 401 {
		t.Fatalf("bad token: status = %d, want 401 (body %s)", status, body)
	}
	assertError(t, body, api.CodeUnauthenticated)
}

func TestProbesAndMetrics(t *testing.T) {
	f := newFixture(t, Config{})
	if status, body := f.do(t, "GET", "/healthz", ""); status != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz = %d %q, want 200 ok", status, body)
	}
	if status, body := f.do(t, "GET", "/readyz", ""); status != 200 {
		t.Errorf("/readyz = %d %q, want 200", status, body)
	}
	if status, _ := f.do(t, "POST", "/v1/check", `{"user":"root@corp.com","permission":"pool.create","contexts":[]}`); status != 200 {
		t.Fatalf("check status = %d", status)
	}
	status, body := f.do(t, "GET", "/metrics", "")
	if status != 200 {
		t.Fatalf("/metrics = %d", status)
	}
	for _, want := range []string{
		`permledger_check_duration_seconds_count{decision="allow",interface="http"} 1`,
		`permledger_commands_total{command="root-user-create",outcome="appended"} 1`,
		"permledger_projector_applied_sequence",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if status, _ := f.do(t, "GET", "/v1/check", ""); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /v1/check = %d, want 405", status)
	}
}

func TestReadyzWhenTheLogIsGone(t *testing.T) {
	f := newFixture(t, Config{})
	if err := f.l.Close(); err != nil {
		t.Fatalf("closing the ledger: %v", err)
	}
	status, body := f.do(t, "GET", "/readyz", "")
	if status != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: ") || strings.Count(body, "\n") != 1 {
		t.Errorf("/readyz = %d %q, want 503 with a one-line reason", status, body)
	}
	if status, _ := f.do(t, "GET", "/healthz", ""); status != 200 {
		t.Errorf("/healthz = %d, want 200 while the process is up", status)
	}
}

// /readyz answers 503 while the read model trails the log by more than
// max-lag, and 200 again once it has caught up. A view held open keeps the
// projector from committing while batches are appended to the log (as
// another instance would append them).
func TestReadyzWhenTheReadModelLags(t *testing.T) {
	f := newFixture(t, Config{MaxLag: 2})
	ctx := context.Background()
	if err := f.l.Store.WaitApplied(ctx, f.l.Store.Floor()); err != nil {
		t.Fatal(err)
	}
	if status, body := f.do(t, "GET", "/readyz", ""); status != 200 {
		t.Fatalf("/readyz = %d %q before any lag, want 200", status, body)
	}
	hold, held, released := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		_ = f.l.Store.View(func(*readmodel.View) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	last, err := f.l.Log.LastSeq(ctx)
	if err != nil {
		close(hold)
		t.Fatal(err)
	}
	for i := range 3 {
		m := events.Meta{Time: time.Now(), Actor: "root@corp.com", CommandID: fmt.Sprint("lag-", i)}
		data, err := events.EncodeBatch(events.NewBatch(m, "team-create", []events.Payload{events.TeamCreated{Team: fmt.Sprint("t", i)}}))
		if err == nil {
			last, err = f.l.Log.Append(ctx, data, m.CommandID, last, nil)
		}
		if err != nil {
			close(hold)
			t.Fatalf("append %d: %v", i, err)
		}
	}
	status, body := f.do(t, "GET", "/readyz", "")
	close(hold)
	<-released
	if status != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: the read model trails the log by 3 ") || strings.Count(body, "\n") != 1 {
		t.Errorf("/readyz = %d %q with 3 sequences unapplied and max lag 2, want 503 and the lag", status, body)
	}
	if err := f.l.Store.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	if status, body := f.do(t, "GET", "/readyz", ""); status != 200 {
		t.Errorf("/readyz = %d %q after catching up, want 200", status, body)
	}
}
