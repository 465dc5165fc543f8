package ledger

import (
	"encoding/json"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"testing"

	"github.com/permledger/permledger/client"
)

// A command id answered as a no-op is answered so again and never appends
// later: a client that retried a timed-out role-dissociate, got "no-op" and
// moved on must not find the pair dissociated later by its own first
// attempt, still queued on another instance (the cluster test
// TestClusterLosesAServer saw exactly that: the retry was answered as a
// no-op at seq 168, the first attempt appended at 173 after someone else
// had assigned the pair again).
func TestNoOpCommandIDIsNotRunAgain(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	runSteps(t, c, root,
		step{"team-create", map[string]string{"team": "blue"}},
		step{"user-create", map[string]string{"user": "bob", "password": "pw"}},
		step{"role-add", map[string]string{"role": "dev", "context": "team"}},
	)
	pair := map[string]string{"role": "dev", "user": "bob", "value": "blue"}
	first, err := c.Command(ctx, "role-dissociate", "dissociate-1", root, pair)
	if err != nil || first.Events != 0 {
		t.Fatalf("dissociating a pair bob does not hold: %+v, %v; want a no-op", first, err)
	}
	if _, err := c.Command(ctx, "role-assign", "assign-1", root, pair); err != nil {
		t.Fatal(err)
	}
	before := lastSeq(t, l)
	again, err := c.Command(ctx, "role-dissociate", "dissociate-1", root, pair)
	if err != nil || again.Events != 0 {
		t.Errorf("resubmitting the no-op's id: %+v, %v; want the first outcome again (0 events)", again, err)
	}
	if got := lastSeq(t, l); got != before {
		t.Errorf("resubmitting the no-op's id appended: %d -> %d", before, got)
	}
}

// A no-op's record is shared by the instances on one stream and outlives a
// restart: the resubmission goes to a second instance, then to the first
// one reopened; a different command under the same id is refused.
func TestNoOpRecordIsSharedAndDurable(t *testing.T) {
	dir := t.TempDir()
	a := openTest(t, dir, nil)
	ca := client.New(a.Conn)
	root := rootToken(t, a, ca)
	ctx := testCtx(t)
	runSteps(t, ca, root,
		step{"user-create", map[string]string{"user": "bob", "password": "pw"}},
		step{"grant", map[string]string{"user": "bob", "permission": "app.deploy", "context": "app:web"}},
	)
	grant := map[string]string{"user": "bob", "permission": "app.deploy", "context": "app:web"}
	first, err := ca.Command(ctx, "grant", "grant-again", root, grant)
	if err != nil || first.Events != 0 || first.Repeat {
		t.Fatalf("granting a held override: %+v, %v; want a no-op", first, err)
	}
	if _, err := ca.Command(ctx, "reset", "", root, grant); err != nil {
		t.Fatal(err)
	}

	b := openTest(t, t.TempDir(), func(c *Config) { c.NATSURL = a.Server.ClientURL() })
	cb := client.New(b.Conn)
	before := lastSeq(t, a)
	again, err := cb.Command(ctx, "grant", "grant-again", root, grant)
	if err != nil || again.Events != 0 || !again.Repeat || again.Seq != first.Seq {
		t.Errorf("resubmitting on another instance: %+v, %v; want a repeat of the no-op at seq %d", again, err, first.Seq)
	}
	if _, err := cb.Command(ctx, "revoke", "grant-again", root, grant); code(err) != api.CodeFailedPrecondition {
		t.Errorf("another command under the no-op's id: %v; want failed_precondition", err)
	}
	b.Close()

	// Restart the first instance on its own folder (embedded server and
	// all): the record comes back from the bucket.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a = openTest(t, dir, nil)
	defer a.Close()
	ca = client.New(a.Conn)
	third, err := ca.Command(ctx, "grant", "grant-again", root, grant)
	if err != nil || third.Events != 0 || !third.Repeat || third.Seq != first.Seq {
		t.Errorf("resubmitting after a restart: %+v, %v; want a repeat of the no-op at seq %d", third, err, first.Seq)
	}
	if got := lastSeq(t, a); got != before {
		t.Errorf("resubmitting the no-op's id appended: %d -> %d", before, got)
	}
	// A command without an id of its own is never recorded: the same
	// request runs again each time.
	if rep, err := ca.Command(ctx, "reset", "", root, grant); err != nil || rep.Events != 0 || rep.Repeat {
		t.Errorf("reset of nothing without an id: %+v, %v; want a plain no-op", rep, err)
	}
	if n := a.noops.Len(); n != 1 {
		t.Errorf("no-op records: %d; want 1 (only the client-chosen id)", n)
	}
}

// A pending no-op record is never answered from: an attempt that finds one
// waits for it to become final or be withdrawn, and withdraws it itself
// once it is older than the pending limit (its writer died between writing
// and finalizing it).
func TestPendingNoOpRecordIsNotAnsweredAndIsTakenOver(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	runSteps(t, c, root, step{"user-create", map[string]string{"user": "bob", "password": "pw"}})
	grant := map[string]string{"user": "bob", "permission": "app.deploy", "context": "app:web"}
	args, _ := json.Marshal(grant)
	cmd, err := commands.Parse("grant", args)
	if err != nil {
		t.Fatal(err)
	}
	// A dead attempt's pending record claims the grant was a no-op at seq 1.
	dead := commands.NoopRecord{CommandID: "grant-1", Command: "grant", Fingerprint: commands.Fingerprint(cmd), Seq: 1,
		At: time.Now().UnixNano()}
	if _, err := l.noops.Record(ctx, dead); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := c.Command(ctx, "grant", "grant-1", root, grant)
	if err != nil || rep.Repeat || rep.Events != 1 {
		t.Fatalf("grant under the id of a dead pending no-op: %+v, %v; want it appended", rep, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("the pending record was taken over after %v, before it was stale", waited)
	}
	if rec, found, err := l.noops.Fetch(ctx, "grant-1"); err != nil || found {
		t.Errorf("the dead attempt's record is still there: %+v %v %v", rec, found, err)
	}
	again, err := c.Command(ctx, "grant", "grant-1", root, grant)
	if err != nil || !again.Repeat || again.Seq != rep.Seq {
		t.Errorf("resubmitting: %+v, %v; want a repeat of seq %d", again, err, rep.Seq)
	}
}
