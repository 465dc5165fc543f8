package ledger

import (
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
	t.Skip("BUG: a command id answered as a no-op is not recorded, so a resubmission of that id runs again and may " +
		"append. Expected (SEMANTICS section 3, Idempotency: resubmitting the id of a command that succeeded answers " +
		"the first outcome and appends nothing): the second role-dissociate with id dissociate-1 answers the no-op " +
		"again (0 events) and the pair assigned in between stays. Actual: it appends role.dissociated and the pair " +
		"is gone. Seen under load in a cluster: a retry after a client timeout answered as a no-op, the first attempt " +
		"(queued behind the per-process lock of another instance) appended later. Fix: record no-op outcomes too " +
		"(in the read model of the instance is not enough across instances), or give requests a deadline after which " +
		"an instance refuses to start them, so that at most one attempt of an id is ever live.")
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	for _, step := range []struct {
		name string
		args any
	}{
		{"team-create", map[string]string{"team": "blue"}},
		{"user-create", map[string]string{"user": "bob", "password": "pw"}},
		{"role-add", map[string]string{"role": "dev", "context": "team"}},
	} {
		if _, err := c.Command(ctx, step.name, "", root, step.args); err != nil {
			t.Fatal(err)
		}
	}
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
