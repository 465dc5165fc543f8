package readmodel

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// randomLog is a log of n messages of random events about a few users, so
// that users are created, changed, deleted and created again, tokens are
// issued and revoked (one by one and all at once), within one message and
// across messages: every path of apply, indexed batch or not.
func randomLog(t *testing.T, n int, seed uint64) []Msg {
	r := rand.New(rand.NewPCG(seed, 7))
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	user := func() string { return fmt.Sprint("u", r.IntN(6)) }
	first := []events.Payload{events.CatalogRecorded{Catalog: catalog.Default().JSON()},
		events.RoleCreated{Role: "member", Context: "team"}, events.TeamCreated{Team: "blue"}}
	var msgs []Msg
	for seq := 1; seq <= n; seq++ {
		ps := first
		if seq > 1 {
			ps = nil
			for range 1 + r.IntN(4) {
				u, tok := user(), fmt.Sprint("tok", r.IntN(8))
				ps = append(ps, []events.Payload{
					events.UserCreated{User: u, Status: events.StatusActive, Admin: r.IntN(3) == 0},
					events.UserCreated{User: u, Status: events.StatusPending},
					events.UserApproved{User: u},
					events.UserAdminSet{User: u, Admin: r.IntN(2) == 0},
					events.UserDeleted{User: u},
					events.RoleAssigned{Role: "member", User: u, Value: fmt.Sprint("t", r.IntN(3))},
					events.RoleDissociated{Role: "member", User: u, Value: fmt.Sprint("t", r.IntN(3))},
					events.PermissionGranted{User: u, Permission: "app.read", Context: fmt.Sprint("app:a", r.IntN(2))},
					events.PermissionRevoked{User: u, Permission: "app.read", Context: fmt.Sprint("app:a", r.IntN(2))},
					events.PermissionReset{User: u, Permission: "app.read", Context: fmt.Sprint("app:a", r.IntN(2))},
					events.TokenIssued{User: u, TokenHash: tok},
					events.TokensRevoked{User: u},
					events.TokensRevokedAll{},
					events.RegistrationTokenIssued{TokenHash: tok, ExpiresAt: int64(seq)},
					events.RegistrationTokenSpent{TokenHash: tok, User: u},
					events.RolePermissionsAdded{Role: "member", Permissions: []string{fmt.Sprint("app.p", r.IntN(3))}},
				}[r.IntN(16)])
			}
			// Most messages are only about users: their batches are not indexed.
			if r.IntN(3) > 0 {
				for i, p := range ps {
					switch p.(type) {
					case events.TokensRevoked, events.UserDeleted, events.RegistrationTokenSpent:
						ps[i] = events.UserCreated{User: user(), Status: events.StatusActive}
					}
				}
			}
		}
		m := events.Meta{Time: at.Add(time.Duration(seq) * time.Second), Actor: "root", CommandID: fmt.Sprint("c", seq)}
		data, err := events.EncodeBatch(events.NewBatch(m, "test", ps))
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, Msg{Seq: uint64(seq), Time: m.Time, Data: data})
	}
	return msgs
}

// applyIn applies msgs to a fresh store in Applies of random sizes (size 1:
// one message each) and returns its digest.
func applyIn(t *testing.T, msgs []Msg, maxSize int, seed uint64) string {
	st, err := Open(t.TempDir(), Options{CacheSize: 1 << 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(seed, 9))
	for i := 0; i < len(msgs); {
		n := 1 + r.IntN(maxSize)
		batch := append([]Msg(nil), msgs[i:min(i+n, len(msgs))]...)
		if r.IntN(2) == 0 { // decoded beforehand, as the projector hands them over
			for j := range batch {
				batch[j].Decoded = Decode(batch[j].Data)
			}
		}
		if _, err := st.Apply(batch); err != nil {
			t.Fatal(err)
		}
		i += n
	}
	d, _, err := st.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The read model is the same byte for byte whatever the Apply boundaries,
// the user cache and the kind of batch each Apply takes.
func TestApplyBoundariesDoNotMatter(t *testing.T) {
	for seed := range uint64(4) {
		msgs := randomLog(t, 300, seed)
		want := applyIn(t, msgs, 1, seed)
		for _, size := range []int{7, 60, 400} {
			if got := applyIn(t, msgs, size, seed+uint64(size)); got != want {
				t.Errorf("log %d: Applies of up to %d messages give digest %s, one at a time %s", seed, size, got, want)
			}
		}
	}
}
