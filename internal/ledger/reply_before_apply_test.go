package ledger

import (
	"context"
	"testing"
	"time"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/queries"
	"github.com/permledger/permledger/readmodel"
)

// A command is answered once its events are in the log: the reply does not
// wait for the read model (here held by a view, so the projector cannot
// commit), and a check on this instance without min_seq then waits for the
// apply and sees the change (the store's floor, readmodel.Store.RaiseFloor).
func TestReplyDoesNotWaitForTheApply(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	if _, err := c.Command(ctx, "user-create", "", root, map[string]string{"user": "bob", "password": "pw"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Store.WaitApplied(ctx, l.Store.Floor()); err != nil {
		t.Fatal(err)
	}
	hold, held, released := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(released)
		_ = l.Store.View(func(*readmodel.View) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	rep, err := c.Command(cctx, "grant", "", root, map[string]string{"user": "bob", "permission": "app.read"})
	cancel()
	if err != nil {
		close(hold)
		t.Fatalf("grant while the read model cannot commit: %v (the reply waited for the apply?)", err)
	}
	if got := l.Store.Floor(); got != rep.Seq {
		t.Errorf("floor = %d after a grant appended at %d", got, rep.Seq)
	}
	checked := make(chan bool, 1)
	go func() {
		res, err := l.Queries.Check(ctx, queries.CheckRequest{User: "bob", Permission: "app.read"})
		checked <- err == nil && res.Decision.Allowed && res.Seq >= rep.Seq
	}()
	close(hold)
	<-released
	if !<-checked {
		t.Fatal("a check without min_seq on the same instance did not see the grant")
	}
}
