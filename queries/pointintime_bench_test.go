package queries

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// buildLog applies n events to a fresh read model, in batches of 1024
// messages of one event each: 1% role edits, the rest assignments, grants
// and revocations over users/10 teams.
func buildLog(b *testing.B, n, users int) *readmodel.Store {
	st, err := readmodel.Open(b.TempDir(), readmodel.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	msg := func(seq int, p events.Payload) readmodel.Msg {
		m := events.Meta{Time: at.Add(time.Duration(seq) * time.Millisecond), Actor: "bench", CommandID: strconv.Itoa(seq)}
		data, _ := events.EncodeBatch(events.Batch{CommandID: m.CommandID, Command: "bench", Events: []events.Envelope{events.New(m, p)}})
		return readmodel.Msg{Seq: uint64(seq), Time: m.Time, Data: data}
	}
	var batch []readmodel.Msg
	flush := func() {
		if _, err := st.Apply(batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	seq := 0
	add := func(p events.Payload) {
		seq++
		batch = append(batch, msg(seq, p))
		if len(batch) == 1024 {
			flush()
		}
	}
	add(events.CatalogRecorded{Catalog: catalog.Default().JSON()})
	add(events.RoleCreated{Role: "team-member", Context: "team"})
	add(events.RolePermissionsAdded{Role: "team-member", Permissions: []string{"app.read"}})
	for i := 0; i < users; i++ {
		add(events.UserCreated{User: fmt.Sprintf("u%d", i), Status: events.StatusActive})
	}
	perms := []string{"app.deploy", "app.read", "app.update", "team.create"}
	for seq < n {
		u := fmt.Sprintf("u%d", r.IntN(users))
		team := fmt.Sprintf("t%d", r.IntN(max(users/10, 1)))
		switch k := r.IntN(100); {
		case k == 0:
			add(events.RolePermissionsAdded{Role: "team-member", Permissions: []string{perms[r.IntN(len(perms))]}})
		case k < 60:
			add(events.RoleAssigned{Role: "team-member", User: u, Value: team})
		case k < 80:
			add(events.PermissionGranted{User: u, Permission: perms[r.IntN(len(perms))], Context: "team:" + team})
		default:
			add(events.PermissionRevoked{User: u, Permission: perms[r.IntN(len(perms))], Context: "global"})
		}
	}
	flush()
	return st
}

func benchEvents() int {
	if s := os.Getenv("PERMLEDGER_BENCH_EVENTS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
	}
	return 1_000_000
}

// BenchmarkPointInTimeCheck measures a check at a random past sequence of a
// 10^6-event log against a current check on the same read model, in the
// same run (PERMLEDGER_BENCH_EVENTS sets the size).
func BenchmarkPointInTimeCheck(b *testing.B) {
	n := benchEvents()
	st := buildLog(b, n, 10_000)
	defer st.Close()
	if err := st.Compact(); err != nil {
		b.Fatal(err)
	}
	qs := New(st)
	last := st.Applied()
	r := rand.New(rand.NewPCG(3, 4))
	req := func(at uint64) CheckRequest {
		return CheckRequest{User: fmt.Sprintf("u%d", r.IntN(10_000)), Permission: "app.deploy",
			Contexts: []string{fmt.Sprintf("team:t%d", r.IntN(1000))}, AtSeq: at}
	}
	b.Run("now", func(b *testing.B) {
		for b.Loop() {
			if _, err := qs.Check(context.Background(), req(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("at_seq", func(b *testing.B) {
		for b.Loop() {
			if _, err := qs.Check(context.Background(), req(1+r.Uint64N(last))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
