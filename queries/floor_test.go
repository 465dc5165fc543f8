package queries

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// A command is answered once its events are in the log, before the read
// model applies them; the handler raises the store's floor. A query without
// min_seq on the same instance then waits for the floor: it never answers
// from before this instance's own writes.
func TestQueriesWaitForTheFloor(t *testing.T) {
	st, err := readmodel.Open(t.TempDir(), readmodel.Options{CacheSize: 1 << 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	msg := func(seq uint64, ps ...events.Payload) []readmodel.Msg {
		m := events.Meta{Time: at, Actor: "root", CommandID: fmt.Sprint("c", seq)}
		data, err := events.EncodeBatch(events.NewBatch(m, "test", ps))
		if err != nil {
			t.Fatal(err)
		}
		return []readmodel.Msg{{Seq: seq, Time: at, Data: data}}
	}
	if _, err := st.Apply(msg(1, events.CatalogRecorded{Catalog: catalog.Default().JSON()},
		events.UserCreated{User: "bob", Status: events.StatusActive})); err != nil {
		t.Fatal(err)
	}
	qs := New(st)
	req := CheckRequest{User: "bob", Permission: "app.read", Contexts: []string{"app:web"}}
	check := func(timeout time.Duration) (CheckResult, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return qs.Check(ctx, req)
	}
	if res, err := check(time.Second); err != nil || res.Decision.Allowed || res.Seq != 1 {
		t.Fatalf("before the grant: %+v, %v", res, err)
	}

	st.RaiseFloor(2) // the grant is in the log at 2, not applied yet
	if res, err := check(50 * time.Millisecond); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a check before the floor is applied answered %+v, %v; want unavailable after its deadline", res, err)
	}
	done := make(chan error, 1)
	go func() {
		res, err := check(5 * time.Second)
		if err == nil && (!res.Decision.Allowed || res.Seq != 2) {
			err = errors.New("answered without the grant")
		}
		done <- err
	}()
	if _, err := st.Apply(msg(2, events.PermissionGranted{User: "bob", Permission: "app.read", Context: "global"})); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("the check waiting for the floor: %v", err)
	}
	if st.Floor() != 2 {
		t.Fatalf("floor = %d, want 2", st.Floor())
	}
	st.RaiseFloor(1) // never lowered
	if st.Floor() != 2 {
		t.Fatalf("floor lowered to %d", st.Floor())
	}
}
