package natsapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsapi"
	"github.com/permledger/permledger/internal/natsserver"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// world is a ledger with root, bob (deployer in team blue) and carol (no
// roles), each logged in.
type world struct {
	l                *ledger.Ledger
	c                *client.Client
	root, bob, carol string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := testCtx(t)
	w := &world{l: openDocLedger(t)}
	w.c = client.New(w.l.Conn)
	w.root = w.login(t, "root@corp.com", "rootpw")
	for _, u := range []string{"bob@corp.com", "carol@corp.com"} {
		w.command(t, "user-create", w.root, map[string]any{"user": u, "password": "pw-" + u})
	}
	w.command(t, "team-create", w.root, map[string]any{"team": "blue"})
	w.command(t, "role-add", w.root, map[string]any{"role": "deployer", "context": "team"})
	w.command(t, "role-permission-add", w.root, map[string]any{"role": "deployer", "permissions": []string{"app.deploy"}})
	w.command(t, "role-assign", w.root, map[string]any{"role": "deployer", "user": "bob@corp.com", "value": "blue"})
	w.bob = w.login(t, "bob@corp.com", "pw-bob@corp.com")
	w.carol = w.login(t, "carol@corp.com", "pw-carol@corp.com")
	_ = ctx
	return w
}

func (w *world) command(t *testing.T, name, token string, args map[string]any) api.CommandReply {
	t.Helper()
	rep, err := w.c.Command(testCtx(t), name, "", token, args)
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return rep
}

func (w *world) login(t *testing.T, user, pw string) string {
	t.Helper()
	return w.command(t, "login", "", map[string]any{"user": user, "password": pw}).Token
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := api.CodeOf(err); got != code {
		t.Errorf("%s: error %v, want code %s", what, err, code)
	}
}

func TestReadersAreAuthorized(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	_, err := w.c.RoleList(ctx, "")
	wantCode(t, "role-list without a token", err, api.CodeUnauthenticated)
	_, err = w.c.RoleList(ctx, "not-a-token")
	wantCode(t, "role-list with a bad token", err, api.CodeUnauthenticated)
	if rep, err := w.c.RoleList(ctx, w.carol); err != nil || len(rep.Roles) != 2 {
		t.Errorf("role-list as carol: %v, %+v; want AllowAll and deployer", err, rep.Roles)
	}
	_, err = w.c.RoleInfo(ctx, w.carol, "")
	wantCode(t, "role-info without a name", err, api.CodeInvalidArgument)
	_, err = w.c.UserList(ctx, w.bob, "", 0)
	wantCode(t, "user-list as bob", err, api.CodeForbidden)
	_, err = w.c.UserList(ctx, w.root, "", 1001)
	wantCode(t, "user-list with limit 1001", err, api.CodeInvalidArgument)
	if rep, err := w.c.PermsView(ctx, w.bob, "bob@corp.com"); err != nil || len(rep.Roles) != 1 || rep.Roles[0].Context != "team:blue" {
		t.Errorf("perms-view of bob by bob: %v, %+v", err, rep)
	}
	_, err = w.c.PermsView(ctx, w.carol, "bob@corp.com")
	wantCode(t, "perms-view of bob by carol", err, api.CodeForbidden)
	_, err = w.c.PermsView(ctx, w.root, "nobody@corp.com")
	wantCode(t, "perms-view of an unknown user", err, api.CodeNotFound)
	_, err = w.c.History(ctx, api.HistoryRequest{Token: w.carol, User: "bob@corp.com"})
	wantCode(t, "history of bob by carol", err, api.CodeForbidden)
	// A grant of user.read.events in user:bob lets carol read bob's history.
	w.command(t, "grant", w.root, map[string]any{"user": "carol@corp.com", "permission": "user.read.events", "context": "user:bob@corp.com"})
	if rep, err := w.c.History(ctx, api.HistoryRequest{Token: w.carol, User: "bob@corp.com"}); err != nil || len(rep.Entries) == 0 {
		t.Errorf("history of bob by carol after the grant: %v, %+v", err, rep)
	}
	_, err = w.c.PermsView(ctx, w.carol, "bob@corp.com")
	wantCode(t, "perms-view of bob by carol (user.read.events is not user.read)", err, api.CodeForbidden)
}

func TestHistoryBounds(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	all, err := w.c.History(ctx, api.HistoryRequest{Token: w.root, User: "bob@corp.com"})
	if err != nil || len(all.Entries) < 3 {
		t.Fatalf("history of bob: %v, %+v", err, all)
	}
	first, last := all.Entries[0], all.Entries[len(all.Entries)-1]
	cases := []struct {
		name string
		req  api.HistoryRequest
		want int
	}{
		{"from the last seq", api.HistoryRequest{FromSeq: last.Seq}, 1},
		{"to the first seq", api.HistoryRequest{ToSeq: first.Seq}, 1},
		{"to before anything", api.HistoryRequest{ToTime: "2000-01-01T00:00:00Z"}, 0},
		{"from after everything", api.HistoryRequest{FromTime: time.Now().Add(time.Hour).Format(time.RFC3339)}, 0},
		{"between two times", api.HistoryRequest{FromTime: "2000-01-01T00:00:00Z", ToTime: time.Now().Add(time.Hour).Format(time.RFC3339)}, len(all.Entries)},
		{"an empty range", api.HistoryRequest{FromSeq: last.Seq, ToSeq: first.Seq}, 0},
	}
	for _, c := range cases {
		c.req.Token, c.req.User = w.root, "bob@corp.com"
		rep, err := w.c.History(ctx, c.req)
		if err != nil || len(rep.Entries) != c.want {
			t.Errorf("%s: %v, %d entries; want %d", c.name, err, len(rep.Entries), c.want)
		}
	}
	_, err = w.c.History(ctx, api.HistoryRequest{Token: w.root, User: "bob@corp.com", FromSeq: 1, FromTime: first.Time})
	wantCode(t, "from_seq and from_time", err, api.CodeInvalidArgument)
	_, err = w.c.History(ctx, api.HistoryRequest{Token: w.root, User: "bob@corp.com", ToTime: "yesterday"})
	wantCode(t, "to_time yesterday", err, api.CodeInvalidArgument)
	// A deleted user keeps its history.
	w.command(t, "user-delete", w.root, map[string]any{"user": "bob@corp.com"})
	rep, err := w.c.History(ctx, api.HistoryRequest{Token: w.root, User: "bob@corp.com"})
	if err != nil || len(rep.Entries) != len(all.Entries)+1 || rep.Entries[len(rep.Entries)-1].Type != "user.deleted" {
		t.Errorf("history of deleted bob: %v, %+v", err, rep)
	}
}

func TestBatchCheckLimitAndStrictness(t *testing.T) {
	w := newWorld(t)
	ctx := testCtx(t)
	checks := make([]api.CheckRequest, api.MaxBatchChecks+1)
	for i := range checks {
		checks[i] = api.CheckRequest{User: "bob@corp.com", Permission: "app.deploy"}
	}
	_, err := w.c.BatchCheck(ctx, checks)
	wantCode(t, "a batch of 1001", err, api.CodeInvalidArgument)
	res, err := w.c.BatchCheck(ctx, checks[:2])
	if err != nil || len(res) != 2 || res[0].Allowed {
		t.Errorf("a batch of 2: %v, %+v; want two denies (no context)", err, res)
	}
	nc := w.l.Conn
	for _, subj := range natsapi.Subjects() {
		if strings.HasPrefix(subj, api.CommandPrefix) || subj == api.SubjectLastSeq {
			continue
		}
		m, err := nc.Request(subj, []byte(`{"bogus": 1}`), 5*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", subj, err)
		}
		var rep struct{ Error *api.Error }
		if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error == nil || rep.Error.Code != api.CodeInvalidArgument {
			t.Errorf("%s with an unknown field: %s; want invalid_argument", subj, m.Data)
		}
	}
}

// TestDrainAnswersRequestsInFlight: a request received before Drain is
// answered before Drain returns, so closing the connection right after
// loses nothing.
func TestDrainAnswersRequestsInFlight(t *testing.T) {
	ctx := testCtx(t)
	l, err := ledger.Open(ctx, ledger.Config{DataDir: t.TempDir(), Embedded: natsserver.Config{Port: -1}, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	conn, err := nats.Connect(l.Conn.ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	s, err := natsapi.Start(conn, l.Commands, l.Queries, natsapi.Config{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	requester, err := nats.Connect(l.Conn.ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	defer requester.Close()
	inbox := nats.NewInbox()
	replies, err := requester.SubscribeSync(inbox)
	if err != nil {
		t.Fatal(err)
	}
	// A check waiting for a sequence that never comes: in flight until its
	// 200ms deadline.
	req := `{"user": "root@corp.com", "permission": "app.read", "contexts": [], "min_seq": 1000000}`
	if err := requester.PublishRequest(api.SubjectCheck, inbox, []byte(req)); err != nil {
		t.Fatal(err)
	}
	if err := requester.Flush(); err != nil {
		t.Fatal(err)
	}
	s.Drain()
	conn.Close()
	m, err := replies.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatalf("no reply to the request in flight at Drain: %v", err)
	}
	if !strings.Contains(string(m.Data), `"unavailable"`) {
		t.Errorf("reply %s, want unavailable (min_seq not reached)", m.Data)
	}
}
