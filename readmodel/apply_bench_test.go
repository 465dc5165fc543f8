package readmodel

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// bulkMessages are n log messages of usersPerMsg users each, every user
// created with 10 holdings, as scripts/bench's bulk load appends them
// (after the catalog, the roles and the teams).
func bulkMessages(b *testing.B, n, usersPerMsg int) []Msg {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	enc := func(seq int, ps []events.Payload) Msg {
		m := events.Meta{Time: at, Actor: "bench-admin", CommandID: fmt.Sprint("load:", seq), RunID: "load"}
		data, err := events.EncodeBatch(events.NewBatch(m, "bench-load", ps))
		if err != nil {
			b.Fatal(err)
		}
		return Msg{Seq: uint64(seq), Time: at, Data: data}
	}
	msgs := []Msg{enc(1, []events.Payload{events.CatalogRecorded{Catalog: catalog.Default().JSON()},
		events.RoleCreated{Role: "team-member", Context: "team"},
		events.RolePermissionsAdded{Role: "team-member", Permissions: []string{"app", "team"}},
		events.RoleCreated{Role: "app-deployer", Context: "app"},
		events.RolePermissionsAdded{Role: "app-deployer", Permissions: []string{"app.deploy"}}})}
	user := 0
	for seq := 2; seq <= n+1; seq++ {
		var ps []events.Payload
		for range usersPerMsg {
			u := fmt.Sprintf("user-%07d@corp.example", user)
			t, a := fmt.Sprintf("team-%06d", user/10), fmt.Sprintf("app-%07d", user/2)
			ps = append(ps, events.UserCreated{User: u, PasswordHash: "$2a$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01", Status: events.StatusActive},
				events.RoleAssigned{Role: "team-member", User: u, Value: t},
				events.RoleAssigned{Role: "team-member", User: u, Value: t + "x"},
				events.RoleAssigned{Role: "team-creator", User: u},
				events.RoleAssigned{Role: "app-deployer", User: u, Value: a},
				events.RoleAssigned{Role: "app-deployer", User: u, Value: a + "x"},
				events.RoleAssigned{Role: "pool-operator", User: u, Value: "pool-001"},
				events.RoleAssigned{Role: "service-owner", User: u, Value: "service-001"},
				events.PermissionGranted{User: u, Permission: "app.update.env.set", Context: "app:" + a},
				events.PermissionGranted{User: u, Permission: "job", Context: "team:" + t},
				events.PermissionRevoked{User: u, Permission: "app.deploy", Context: "app:" + a + "x"})
			user++
		}
		msgs = append(msgs, enc(seq, ps))
	}
	return msgs
}

// BenchmarkApplyBulk times the projector's work on a bulk import: decoding
// and applying messages of 100 users (1100 events) to a fresh read model,
// in the batches a rebuild hands over.
func BenchmarkApplyBulk(b *testing.B) {
	benchApply(b, bulkMessages(b, 100, 100), 16, false)
}

// BenchmarkApplyDecoded times Apply alone on messages decoded beforehand,
// as the projector hands them over (it decodes on another goroutine), on
// 300 messages of 100 users (the quick rebuild's size, enough for Pebble
// to flush), 28 messages (8 MiB) an Apply.
func BenchmarkApplyDecoded(b *testing.B) {
	benchApply(b, bulkMessages(b, 300, 100), 28, true)
}

func benchApply(b *testing.B, msgs []Msg, per int, decoded bool) {
	events := 0
	for range b.N {
		b.StopTimer()
		st, err := Open(b.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		batch := append([]Msg(nil), msgs...)
		for i := range batch {
			if decoded {
				batch[i].Decoded = Decode(batch[i].Data)
			}
		}
		b.StartTimer()
		for i := 0; i < len(batch); i += per {
			res, err := st.Apply(batch[i:min(i+per, len(batch))])
			if err != nil {
				b.Fatal(err)
			}
			events += res.Events
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
