package noopkv

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/natsserver"
)

func open(t *testing.T, url string) *Records {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := Open(ctx, nc, "TEST", 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// eventually waits for cond, which the watcher makes true asynchronously.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within 5s", what)
}

// Two instances share the records: the first record of an id wins, Fetch
// reads the bucket, the watcher brings the other's records, Forget
// withdraws only the record it names, and a reopened instance loads all.
func TestRecordsAreSharedFirstWinsAndReload(t *testing.T) {
	s, err := natsserver.Start(natsserver.Config{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown) // after the records' cleanups: they unsubscribe from it
	ctx := context.Background()
	a, b := open(t, s.ClientURL()), open(t, s.ClientURL())

	first := commands.NoopRecord{CommandID: "id/with spaces & ünïcode", Command: "grant", Fingerprint: "f1", Seq: 7}
	got, err := a.Record(ctx, first)
	if err != nil || got != first {
		t.Fatalf("first record: %+v, %v", got, err)
	}
	second := first
	second.Seq, second.Fingerprint = 9, "f2"
	if got, err := b.Record(ctx, second); err != nil || got != first {
		t.Fatalf("second record of the same id: %+v, %v; want the first one in force", got, err)
	}
	if got, found, err := b.Fetch(ctx, first.CommandID); err != nil || !found || got != first {
		t.Fatalf("fetch: %+v %v %v", got, found, err)
	}
	if _, found, err := b.Fetch(ctx, "never"); err != nil || found {
		t.Fatalf("fetch of an unknown id: %v %v", found, err)
	}

	other := commands.NoopRecord{CommandID: "other", Command: "reset", Fingerprint: "f3", Seq: 11}
	if _, err := b.Record(ctx, other); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a sees b's record through its watcher", func() bool {
		r, ok := a.Lookup("other")
		return ok && r == other
	})

	// Forget withdraws only the record it names.
	if err := a.Forget(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := b.Fetch(ctx, first.CommandID); !found {
		t.Fatal("Forget of a record not in force deleted the one in force")
	}
	if err := a.Forget(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := b.Fetch(ctx, first.CommandID); found {
		t.Fatal("Forget left the record")
	}
	eventually(t, "b drops the withdrawn record", func() bool { _, ok := b.Lookup(first.CommandID); return !ok })
	if got, err := b.Record(ctx, second); err != nil || got != second {
		t.Fatalf("recording after a withdrawal: %+v, %v; want the new record", got, err)
	}
	// Only the writer finalizes its pending record; a that did not write
	// it cannot, and the final form reaches everyone.
	if err := a.Finalize(ctx, first); err == nil {
		t.Fatal("finalizing a record that is not in force succeeded")
	}
	if err := b.Finalize(ctx, second); err != nil {
		t.Fatal(err)
	}
	final := second
	final.Final = true
	if got, found, err := a.Fetch(ctx, second.CommandID); err != nil || !found || got != final {
		t.Fatalf("fetch after finalizing: %+v %v %v; want %+v", got, found, err, final)
	}
	eventually(t, "a sees the final record", func() bool { r, ok := a.Lookup(second.CommandID); return ok && r == final })
	second = final

	c := open(t, s.ClientURL())
	if n := c.Len(); n != 2 {
		t.Fatalf("a new instance loaded %d records; want 2", n)
	}
	if r, ok := c.Lookup(first.CommandID); !ok || r != second {
		t.Fatalf("reloaded record: %+v %v", r, ok)
	}
}
