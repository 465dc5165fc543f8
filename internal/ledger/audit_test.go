package ledger

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/queries"
)

// randomPayload draws an event over a small world, so that events collide:
// assignments of removed roles, grants to deleted users, revocations of
// tokens never issued. Projection must be total and deterministic.
func randomPayload(r *rand.Rand) events.Payload {
	u := fmt.Sprintf("u%d", r.IntN(200))
	role := fmt.Sprintf("r%d", r.IntN(12))
	team := fmt.Sprintf("t%d", r.IntN(30))
	perms := []string{"app.deploy", "app.read", "app", "team.create", "*", "app.update.env.set"}
	p := perms[r.IntN(len(perms))]
	switch r.IntN(16) {
	case 0:
		return events.UserCreated{User: u, Status: []string{"active", "pending"}[r.IntN(2)], Admin: r.IntN(20) == 0}
	case 1:
		return events.UserDeleted{User: u}
	case 2:
		return events.UserAdminSet{User: u, Admin: r.IntN(2) == 0}
	case 3:
		return events.TeamCreated{Team: team}
	case 4:
		return events.RoleCreated{Role: role, Context: []string{"global", "team", "app"}[r.IntN(3)], Unlimited: r.IntN(8) == 0}
	case 5:
		return events.RoleRemoved{Role: role}
	case 6:
		return events.RolePermissionsAdded{Role: role, Permissions: []string{p}}
	case 7:
		return events.RolePermissionsRemoved{Role: role, Permissions: []string{p}}
	case 8, 9:
		return events.RoleAssigned{Role: role, User: u, Value: team}
	case 10:
		return events.RoleDissociated{Role: role, User: u, Value: team}
	case 11:
		return events.PermissionGranted{User: u, Permission: p, Context: "team:" + team}
	case 12:
		return events.PermissionRevoked{User: u, Permission: p, Context: "global"}
	case 13:
		return events.TokenIssued{User: u, TokenHash: fmt.Sprintf("%064x", r.Uint64())}
	case 14:
		return events.TokensRevoked{User: u}
	}
	return events.UserApproved{User: u}
}

func verifyLogSize(t *testing.T) int {
	if s := os.Getenv("PERMLEDGER_VERIFY_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if testing.Short() || raceEnabled {
		return 10_000 // the race detector slows the projector about tenfold
	}
	return 100_000
}

// publishRandom appends n random commands (1-3 events each) straight to the
// stream with async publishes, as a bulk import would.
func publishRandom(t *testing.T, l *Ledger, n int, seed uint64) {
	t.Helper()
	js, err := jetstream.New(l.Conn)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		m := events.Meta{Time: at.Add(time.Duration(i) * time.Millisecond), Actor: "gen", CommandID: fmt.Sprintf("gen-%d", i)}
		b := events.Batch{CommandID: m.CommandID, Command: "generated"}
		for j := 0; j <= r.IntN(3); j++ {
			b.Events = append(b.Events, events.New(m, randomPayload(r)))
		}
		data, _ := events.EncodeBatch(b)
		// A full window of outstanding publishes waits for acks rather than
		// failing: on a loaded machine acks can lag past the 200 ms default.
		if _, err := js.PublishAsync(l.Log.Subject(), data, jetstream.WithStallWait(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(2 * time.Minute):
		t.Fatal("async publishes did not complete")
	}
}

// A log of random commands, projected live, rebuilds into the same read
// model key by key: verify reports no difference.
func TestVerifyRandomLog(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	n := verifyLogSize(t)
	start := time.Now()
	publishRandom(t, l, n, 42)
	last := lastSeq(t, l)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := l.Store.WaitApplied(ctx, last); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d random commands appended and projected live in %v", n, time.Since(start))
	start = time.Now()
	diffs, seq, keys, err := l.Verify(ctx, 20, nil)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("verify: rebuilt %d messages (%.0f msg/s) and compared %d keys in %v", seq, float64(seq)/el.Seconds(), keys, el)
	for _, d := range diffs {
		t.Errorf("difference at %q: live %q, rebuilt %q", d.Key, d.Live, d.Rebuilt)
	}
	if seq < uint64(n) || keys < 1000 {
		t.Errorf("verify covered seq %d and %d keys: too little to prove anything", seq, keys)
	}
}

// Replay swaps a rebuilt read model in while checks keep being answered.
func TestReplaySwapsWithoutStoppingChecks(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, nil)
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	publishRandom(t, l, 2000, 7)
	var stop atomic.Bool
	var checks, failures atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			rep, err := c.Check(ctx, checkReq("root@corp.com", "pool.create"))
			checks.Add(1)
			if err != nil || !rep.Allowed {
				failures.Add(1)
			}
		}
	}()
	old := l.Store.Dir()
	seq, err := l.Replay(ctx, nil)
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if l.Store.Dir() == old || seq < lastSeq(t, l)-1 {
		t.Errorf("replay: dir %s (was %s), seq %d", l.Store.Dir(), old, seq)
	}
	if checks.Load() == 0 || failures.Load() != 0 {
		t.Errorf("%d checks during replay, %d failed", checks.Load(), failures.Load())
	}
	if _, err := c.Command(ctx, "team-create", "", root, map[string]string{"team": "after-replay"}); err != nil {
		t.Fatalf("a command after the replay: %v", err)
	}
	l.Close()
	l = openTest(t, dir, nil) // a restart opens the replayed read model
	defer l.Close()
	if l.Store.Dir() == old {
		t.Error("after a restart the old read model folder is in use")
	}
}

type logEntries struct{ l *Ledger }

func (e logEntries) Entry(ctx context.Context, seq uint64) (time.Time, []byte, error) {
	m, err := e.l.Log.Get(ctx, seq)
	return m.Time, m.Data, err
}

// History lists what changed a user, including edits of its roles.
func TestHistoryFollowsRoleEdits(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	steps := []struct {
		name string
		args any
	}{
		{"team-create", map[string]string{"team": "blue"}},
		{"user-create", map[string]string{"user": "bob", "password": "pw"}},
		{"user-create", map[string]string{"user": "carol", "password": "pw"}},
		{"role-add", map[string]string{"role": "deployer", "context": "team"}},
		{"role-assign", map[string]string{"role": "deployer", "user": "bob", "value": "blue"}},
		{"role-permission-add", map[string]any{"role": "deployer", "permissions": []string{"app.deploy"}}},
		{"grant", map[string]string{"user": "carol", "permission": "app.read"}},
		{"revoke", map[string]string{"user": "bob", "permission": "app.read"}},
		{"token-regenerate", map[string]any{"all": true}},
	}
	for _, s := range steps {
		if _, err := c.Command(ctx, s.name, "", root, s.args); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	h, err := l.Queries.History(ctx, logEntries{l}, "bob", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range h {
		got = append(got, e.Type+"/"+e.Via)
	}
	want := []string{"user.created/", "role.assigned/", "role.permissions_added/deployer", "permission.revoked/", "tokens.revoked_all/"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("history of bob = %v, want %v", got, want)
	}
	for _, e := range h {
		if e.Actor == "" && e.Type != "tokens.revoked_all" || e.CommandID == "" || e.Seq == 0 || e.Time.IsZero() {
			t.Errorf("entry without provenance: %+v", e)
		}
	}
	var _ queries.LogReader = logEntries{l}
}
