package projector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
	"github.com/permledger/permledger/readmodel"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openLog runs an embedded JetStream server and opens the log on it.
func openLog(t testing.TB) *natslog.Log {
	t.Helper()
	s, err := natsserver.Start(natsserver.Config{StoreDir: t.TempDir(), Port: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func openStore(t *testing.T) *readmodel.Store {
	t.Helper()
	st, err := readmodel.Open(t.TempDir(), readmodel.Options{CacheSize: 1 << 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// appendBatch appends one command's events.
func appendBatch(t *testing.T, l *natslog.Log, id string, ps ...events.Payload) uint64 {
	t.Helper()
	m := events.Meta{Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "t", CommandID: id}
	b := events.Batch{CommandID: id, Command: "test"}
	for _, p := range ps {
		b.Events = append(b.Events, events.New(m, p))
	}
	data, err := events.EncodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	return appendRaw(t, l, data)
}

func appendRaw(t *testing.T, l *natslog.Log, data []byte) uint64 {
	t.Helper()
	last, err := l.LastSeq(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	seq, err := l.Append(testCtx(t), data, "", last, nil)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func userExists(t *testing.T, st *readmodel.Store, name string) bool {
	t.Helper()
	var u *readmodel.User
	err := st.View(func(v *readmodel.View) (err error) { u, err = v.User(name); return err })
	if err != nil {
		t.Fatal(err)
	}
	return u != nil
}

// CatchUp applies every message in order, in batches small enough to
// pipeline, skipping a message that is not a batch, and reports each batch.
func TestCatchUpAppliesInOrderAcrossBatches(t *testing.T) {
	l, st := openLog(t), openStore(t)
	appendBatch(t, l, "cat", events.CatalogRecorded{Catalog: catalog.Default().JSON()})
	for i := range 50 {
		appendBatch(t, l, fmt.Sprint("c", i), events.UserCreated{User: fmt.Sprint("u", i), Status: events.StatusActive})
		if i == 25 {
			appendRaw(t, l, []byte("not a batch"))
		}
	}
	last := appendBatch(t, l, "del", events.UserDeleted{User: "u7"})
	var mu sync.Mutex
	var seen []uint64
	p := New(l, st, Config{BatchSize: 4, Observe: func(res readmodel.ApplyResult, _ uint64) {
		mu.Lock()
		seen = append(seen, res.Applied)
		mu.Unlock()
	}})
	if err := p.CatchUp(testCtx(t), 0); err != nil {
		t.Fatal(err)
	}
	if got := st.Applied(); got != last {
		t.Fatalf("applied %d, want %d", got, last)
	}
	if !userExists(t, st, "u49") || userExists(t, st, "u7") {
		t.Error("the read model does not reflect the log")
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("batches applied out of order: %v", seen)
		}
	}
	if len(seen) < 10 {
		t.Errorf("%d batches for 53 messages of batch size 4", len(seen))
	}
}

// An event this build cannot read stops Run with ErrUnknownEvent, even
// when no message follows, with nothing from that message on applied.
func TestRunStopsAtAnUnknownEvent(t *testing.T) {
	l, st := openLog(t), openStore(t)
	appendBatch(t, l, "cat", events.CatalogRecorded{Catalog: catalog.Default().JSON()})
	appendBatch(t, l, "c1", events.UserCreated{User: "bob", Status: events.StatusActive})
	bad := appendRaw(t, l, []byte(`{"command_id":"c2","command":"x","events":[{"id":"x","type":"user.exploded","v":1,"data":{}}]}`))
	appendBatch(t, l, "c3", events.UserCreated{User: "eve", Status: events.StatusActive})
	err := New(l, st, Config{}).Run(testCtx(t))
	if !errors.Is(err, readmodel.ErrUnknownEvent) {
		t.Fatalf("Run = %v, want ErrUnknownEvent", err)
	}
	if got := st.Applied(); got >= bad {
		t.Errorf("applied %d, the message of the unknown event is %d", got, bad)
	}
	if userExists(t, st, "eve") {
		t.Error("a message after the unknown event was applied")
	}
}

// Run follows the log: what is appended while it runs gets applied.
func TestRunFollowsTheLog(t *testing.T) {
	l, st := openLog(t), openStore(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	done := make(chan error, 1)
	go func() { done <- New(l, st, Config{}).Run(ctx) }()
	appendBatch(t, l, "cat", events.CatalogRecorded{Catalog: catalog.Default().JSON()})
	var last uint64
	for i := range 20 {
		last = appendBatch(t, l, fmt.Sprint("c", i), events.UserCreated{User: fmt.Sprint("u", i), Status: events.StatusActive})
	}
	if err := st.WaitApplied(testCtx(t), last); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v after cancel", err)
	}
	if !userExists(t, st, "u19") {
		t.Error("u19 missing")
	}
}
