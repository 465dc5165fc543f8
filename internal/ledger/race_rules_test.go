package ledger

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// Racing writers on conflicting commands, through two instances on one
// stream so that optimistic concurrency (not the per-process lock) decides.
// Whatever the interleaving, the read model never reaches a state the rules
// forbid, and it equals a replay of the log. Run it with -race.

// racePair is two ledgers on one stream, with a client on each.
type racePair struct {
	a, b    *Ledger
	clients []*client.Client
	root    string
}

func openRacePair(t *testing.T) *racePair {
	a := openTest(t, t.TempDir(), nil)
	t.Cleanup(func() { a.Close() })
	b := openTest(t, t.TempDir(), func(c *Config) { c.NATSURL = a.Server.ClientURL() })
	t.Cleanup(func() { b.Close() })
	p := &racePair{a: a, b: b, clients: []*client.Client{client.New(a.Conn), client.New(b.Conn)}}
	p.root = rootToken(t, a, p.clients[0])
	return p
}

// must runs a setup command and fails the test on error.
func (p *racePair) must(t *testing.T, name string, args any) {
	t.Helper()
	if _, err := p.clients[0].Command(testCtx(t), name, "", p.root, args); err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
}

// raceCall is one command of a race.
type raceCall struct {
	name string
	args any
}

// race starts every call at once, alternating instances, and returns the
// error codes ("" for success) in call order.
func (p *racePair) race(t *testing.T, calls []raceCall) []string {
	ctx := testCtx(t)
	codes := make([]string, len(calls))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() {
			<-start
			_, err := p.clients[i%2].Command(ctx, c.name, "", p.root, c.args)
			codes[i] = code(err)
		})
	}
	close(start)
	wg.Wait()
	return codes
}

func TestRaceRoleRemoveAgainstRoleAssign(t *testing.T) {
	p := openRacePair(t)
	p.must(t, "team-create", map[string]string{"team": "t"})
	wins := map[bool]int{}
	for round := range 10 {
		role, user := fmt.Sprintf("r%d", round), fmt.Sprintf("u%d", round)
		p.must(t, "role-add", map[string]string{"role": role, "context": "team"})
		p.must(t, "role-permission-add", map[string]any{"role": role, "permissions": []string{"app.read"}})
		p.must(t, "user-create", map[string]string{"user": user, "password": "pw"})
		codes := p.race(t, []raceCall{
			{"role-remove", map[string]string{"role": role}},
			{"role-assign", map[string]string{"role": role, "user": user, "value": "t"}},
		})
		removed, assigned := codes[0] == "", codes[1] == ""
		switch {
		case removed && !assigned && codes[1] == api.CodeNotFound:
		case assigned && !removed && codes[0] == api.CodeFailedPrecondition:
		default:
			t.Fatalf("round %d: role-remove -> %q, role-assign -> %q: exactly one must win", round, codes[0], codes[1])
		}
		wins[assigned]++
		p.settle(t)
		p.a.Store.View(func(v *readmodel.View) error {
			u, _ := v.User(user)
			held, _ := v.RoleHasHolders(role)
			if exists := v.RoleDoc(role) != nil; exists != assigned || u.HasAssignment(role, "t") != assigned || held != assigned {
				t.Errorf("round %d: role exists %v, user holds it %v, index says held %v; assign won = %v",
					round, exists, u.HasAssignment(role, "t"), held, assigned)
			}
			return nil
		})
	}
	t.Logf("role-assign won %d rounds, role-remove %d", wins[true], wins[false])
	p.checkInvariants(t)
}

func TestRaceGrantAgainstRevoke(t *testing.T) {
	p := openRacePair(t)
	p.must(t, "team-create", map[string]string{"team": "t"})
	p.must(t, "user-create", map[string]string{"user": "bob", "password": "pw"})
	key := map[string]string{"user": "bob", "permission": "app.deploy", "context": "team:t"}
	for round := range 6 {
		var calls []raceCall
		for i := range 6 {
			calls = append(calls, raceCall{[]string{"grant", "revoke"}[(i+round)%2], key})
		}
		for i, c := range p.race(t, calls) {
			if c != "" {
				t.Fatalf("round %d: %s -> %q; grant and revoke of one key never fail", round, calls[i].name, c)
			}
		}
		p.settle(t)
		last := p.lastOverrideEvent(t, "bob", "app.deploy", "team:t")
		var o []string
		p.a.Store.View(func(v *readmodel.View) error {
			u, _ := v.User("bob")
			for _, x := range u.Overrides {
				o = append(o, fmt.Sprintf("%s@%s allow=%v", x.Permission, x.Context, x.Allow))
			}
			return nil
		})
		if want := fmt.Sprintf("app.deploy@team:t allow=%v", last == events.TypePermissionGranted); len(o) != 1 || o[0] != want {
			t.Fatalf("round %d: overrides %v; the log's last word on the key is %s, want exactly [%s]", round, o, last, want)
		}
		rep, err := p.clients[1].Check(testCtx(t), checkReq("bob", "app.deploy", "team:t"))
		if err != nil || rep.Allowed != (last == events.TypePermissionGranted) {
			t.Fatalf("round %d: check = %+v, %v after %s", round, rep, err, last)
		}
	}
	p.checkInvariants(t)
}

func TestRaceTeamCreateOfOneName(t *testing.T) {
	p := openRacePair(t)
	p.must(t, "role-add", map[string]string{"role": "member", "context": "team"})
	p.must(t, "role-permission-add", map[string]any{"role": "member", "permissions": []string{"app.read"}})
	p.must(t, "role-default-add", map[string]string{"role": "member", "event": "team-create"})
	for round := range 6 {
		team := fmt.Sprintf("team-%d", round)
		var calls []raceCall
		for range 4 {
			calls = append(calls, raceCall{"team-create", map[string]string{"team": team}})
		}
		wins := 0
		for _, c := range p.race(t, calls) {
			if c == "" {
				wins++
			} else if c != api.CodeAlreadyExists {
				t.Fatalf("round %d: team-create -> %q", round, c)
			}
		}
		if wins != 1 {
			t.Fatalf("round %d: %d team-creates of %s won, want 1", round, wins, team)
		}
	}
	p.settle(t)
	counts := p.countEvents(t)
	for round := range 6 {
		team := fmt.Sprintf("team-%d", round)
		if n := counts[events.TypeTeamCreated+" "+team]; n != 1 {
			t.Errorf("the log holds %d team.created for %s, want 1", n, team)
		}
		if n := counts[events.TypeRoleAssigned+" member root@corp.com "+team]; n != 1 {
			t.Errorf("the log holds %d default member assignments for %s, want 1", n, team)
		}
	}
	p.checkInvariants(t)
}

func TestRaceUserDeleteAgainstRoleAssign(t *testing.T) {
	p := openRacePair(t)
	p.must(t, "team-create", map[string]string{"team": "t"})
	p.must(t, "role-add", map[string]string{"role": "dev", "context": "team"})
	p.must(t, "role-permission-add", map[string]any{"role": "dev", "permissions": []string{"app.read"}})
	for round := range 6 {
		user := fmt.Sprintf("d%d", round)
		p.must(t, "user-create", map[string]string{"user": user, "password": "pw"})
		codes := p.race(t, []raceCall{
			{"user-delete", map[string]string{"user": user}},
			{"role-assign", map[string]string{"role": "dev", "user": user, "value": "t"}},
		})
		if codes[0] != "" || (codes[1] != "" && codes[1] != api.CodeNotFound) {
			t.Fatalf("round %d: user-delete -> %q, role-assign -> %q", round, codes[0], codes[1])
		}
	}
	p.settle(t)
	p.a.Store.View(func(v *readmodel.View) error {
		if held, _ := v.RoleHasHolders("dev"); held {
			t.Error("every holder of dev was deleted, yet the holder index still lists one")
		}
		return nil
	})
	p.checkInvariants(t)
}

// settle waits until both read models have applied the whole log.
func (p *racePair) settle(t *testing.T) {
	t.Helper()
	last := lastSeq(t, p.a)
	for _, l := range []*Ledger{p.a, p.b} {
		if err := l.Store.WaitApplied(testCtx(t), last); err != nil {
			t.Fatal(err)
		}
	}
}

// eachEvent calls fn with every event of the log, in order.
func (p *racePair) eachEvent(t *testing.T, fn func(events.Envelope, events.Payload)) {
	t.Helper()
	err := p.a.Log.ReadUntil(testCtx(t), 1, 0, func(m natslog.Msg) error {
		b, err := events.DecodeBatch(m.Data)
		if err != nil {
			return err
		}
		for _, e := range b.Events {
			pl, err := events.Decode(e)
			if err != nil {
				return err
			}
			fn(e, pl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// countEvents counts "type name..." keys for team creations and assignments.
func (p *racePair) countEvents(t *testing.T) map[string]int {
	out := map[string]int{}
	p.eachEvent(t, func(e events.Envelope, pl events.Payload) {
		switch x := pl.(type) {
		case events.TeamCreated:
			out[e.Type+" "+x.Team]++
		case events.RoleAssigned:
			out[e.Type+" "+x.Role+" "+x.User+" "+x.Value]++
		}
	})
	return out
}

// lastOverrideEvent is the type of the last grant, revoke or reset of a key.
func (p *racePair) lastOverrideEvent(t *testing.T, user, perm, ctx string) string {
	last := ""
	p.eachEvent(t, func(e events.Envelope, pl events.Payload) {
		var got [3]string
		switch x := pl.(type) {
		case events.PermissionGranted:
			got = [3]string{x.User, x.Permission, x.Context}
		case events.PermissionRevoked:
			got = [3]string{x.User, x.Permission, x.Context}
		case events.PermissionReset:
			got = [3]string{x.User, x.Permission, x.Context}
		default:
			return
		}
		if got == [3]string{user, perm, ctx} {
			last = e.Type
		}
	})
	return last
}

// checkInvariants: every assignment names an existing role, at most one
// override per key, the holder index agrees with the users, both instances
// hold the same read model, and it equals a replay of the log.
func (p *racePair) checkInvariants(t *testing.T) {
	t.Helper()
	p.settle(t)
	holders := map[string]bool{}
	p.a.Store.View(func(v *readmodel.View) error {
		names, err := v.Users("", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			u, _ := v.User(n)
			checkUserDoc(t, v, u, holders)
		}
		for _, r := range v.Roles() {
			if held, _ := v.RoleHasHolders(r.Name); held != holders[r.Name] {
				t.Errorf("role %s: index says held %v, users say %v", r.Name, held, holders[r.Name])
			}
		}
		return nil
	})
	da, _, _ := p.a.Store.Digest()
	db, _, _ := p.b.Store.Digest()
	if da != db {
		t.Error("the two instances' read models differ")
	}
	diffs, _, _, err := p.a.Verify(testCtx(t), 5, nil)
	if err != nil || len(diffs) > 0 {
		t.Errorf("read model vs replay: %v, %+v", err, diffs)
	}
}

func checkUserDoc(t *testing.T, v *readmodel.View, u *readmodel.User, holders map[string]bool) {
	keys := map[string]bool{}
	for _, o := range u.Overrides {
		k := o.Permission + " " + o.Context
		if keys[k] {
			t.Errorf("user %s holds two overrides at %s", u.Name, k)
		}
		keys[k] = true
	}
	for _, a := range u.Assignments {
		if v.RoleDoc(a.Role) == nil {
			b, _ := json.Marshal(a)
			t.Errorf("user %s holds an assignment of removed role %s: %s", u.Name, a.Role, b)
		}
		holders[a.Role] = true
	}
}
