package events

import (
	"fmt"
	"testing"
	"time"
)

// benchBatch is a command's batch of n events: a user created with its
// holdings, as a bulk import (scripts/bench) or a user-create appends them.
func benchBatch(users int) Batch {
	m := Meta{Time: time.Date(2026, 1, 2, 3, 4, 5, 678, time.UTC), Actor: "bench-admin", CommandID: "bench-load:42", RunID: "bench-load"}
	b := Batch{CommandID: m.CommandID, Command: "bench-load"}
	for i := range users {
		u := fmt.Sprintf("user-%07d@corp.example", i)
		for _, p := range []Payload{
			UserCreated{User: u, PasswordHash: "$2a$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01", Status: StatusActive},
			RoleAssigned{Role: "team-member", User: u, Value: "team-000001"},
			RoleAssigned{Role: "team-member", User: u, Value: "team-000002"},
			RoleAssigned{Role: "team-creator", User: u},
			RoleAssigned{Role: "app-deployer", User: u, Value: "app-0000001"},
			RoleAssigned{Role: "app-deployer", User: u, Value: "app-0000002"},
			RoleAssigned{Role: "pool-operator", User: u, Value: "pool-001"},
			RoleAssigned{Role: "service-owner", User: u, Value: "service-001"},
			PermissionGranted{User: u, Permission: "app.update.env.set", Context: "app:app-0000003"},
			PermissionGranted{User: u, Permission: "job", Context: "team:team-000001"},
			PermissionRevoked{User: u, Permission: "app.deploy", Context: "app:app-0000002"},
		} {
			b.Events = append(b.Events, New(m, p))
		}
	}
	return b
}

// grantBatch is what one grant command appends.
func grantBatch() Batch {
	m := Meta{Time: time.Date(2026, 1, 2, 3, 4, 5, 678, time.UTC), Actor: "bench-admin", CommandID: "01JBENCHCOMMAND0000000000"}
	return Batch{CommandID: m.CommandID, Command: "grant", Fingerprint: "0123456789abcdef0123456789abcdef",
		Events: []Envelope{New(m, PermissionGranted{User: "user-0000042@corp.example", Permission: "app.read", Context: "app:web"})}}
}

func BenchmarkEncodeBatch(b *testing.B) {
	for name, batch := range map[string]Batch{"grant": grantBatch(), "bulk-100-users": benchBatch(100)} {
		b.Run(name, func(b *testing.B) {
			data, _ := EncodeBatch(batch)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EncodeBatch(batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch.Events)), "ns/event")
		})
	}
}

// BenchmarkNew times wrapping a payload in an envelope (id, time, encoding).
func BenchmarkNew(b *testing.B) {
	m := Meta{Time: time.Now(), Actor: "bench-admin", CommandID: "c"}
	p := RoleAssigned{Role: "team-member", User: "user-0000042@corp.example", Value: "team-000001"}
	b.ReportAllocs()
	for b.Loop() {
		New(m, p)
	}
}

// BenchmarkDecodeBatch times what a reader of every payload does per
// message: the batch, then every event's payload.
func BenchmarkDecodeBatch(b *testing.B) {
	benchDecode(b, func(data []byte) error {
		got, err := DecodeBatch(data)
		for _, e := range got.Events {
			if err == nil {
				_, err = Decode(e)
			}
		}
		return err
	})
}

// BenchmarkDecodeBatchShared times the projector's decoding: the batch and
// every payload, in one pass where it can.
func BenchmarkDecodeBatchShared(b *testing.B) {
	benchDecode(b, func(data []byte) error {
		got, payloads, err := DecodeBatchShared(data)
		for i, p := range payloads {
			if p == nil && err == nil {
				_, err = Decode(got.Events[i])
			}
		}
		return err
	})
}

func benchDecode(b *testing.B, decode func([]byte) error) {
	for name, batch := range map[string]Batch{"grant": grantBatch(), "bulk-100-users": benchBatch(100)} {
		data, err := EncodeBatch(batch)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := decode(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch.Events)), "ns/event")
		})
	}
}
