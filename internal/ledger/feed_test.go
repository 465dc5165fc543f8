package ledger

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/feed"
)

// A subscriber of the change feed sees what a user gained or lost, and
// role-level records for role edits, in log order.
func TestChangeFeed(t *testing.T) {
	l := openTest(t, t.TempDir(), func(c *Config) { c.Feed = true })
	defer l.Close()
	recs := make(chan feed.Record, 64)
	sub, err := l.Conn.Subscribe("permledger.feed.>", func(m *nats.Msg) {
		var r feed.Record
		if json.Unmarshal(m.Data, &r) == nil {
			recs <- r
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	runSteps(t, c, root,
		step{"team-create", map[string]string{"team": "blue"}},
		step{"user-create", map[string]string{"user": "bob", "password": "pw"}},
		step{"role-add", map[string]string{"role": "deployer", "context": "team"}},
		step{"role-permission-add", map[string]any{"role": "deployer", "permissions": []string{"app.deploy"}}},
		step{"role-assign", map[string]string{"role": "deployer", "user": "bob", "value": "blue"}},
		step{"role-permission-add", map[string]any{"role": "deployer", "permissions": []string{"app.read"}}},
		step{"revoke", map[string]string{"user": "bob", "permission": "app.read", "context": "team:blue"}},
		step{"role-dissociate", map[string]string{"role": "deployer", "user": "bob", "value": "blue"}},
	)
	want := []string{
		"user bob gained app.deploy team:blue via role deployer",
		"role deployer +[app.read]",
		"user bob denied app.read team:blue via override",
		"user bob lost app.deploy team:blue via role deployer",
	}
	var got []string
	deadline := time.After(10 * time.Second)
	for !containsAll(got, want) {
		select {
		case r := <-recs:
			got = append(got, describe(r))
		case <-deadline:
			t.Fatalf("feed records so far: %q", got)
		}
	}
	for _, w := range want {
		if !contains(got, w) {
			t.Errorf("feed lacks %q; got %q", w, got)
		}
	}
}

func describe(r feed.Record) string {
	if r.Kind == feed.KindRole {
		return "role " + r.Role + " +" + fmt.Sprint(r.Added)
	}
	return "user " + r.User + " " + r.Change + " " + r.Permission + " " + r.Context + " via " + r.Via
}

func containsAll(ss, want []string) bool {
	for _, w := range want {
		if !contains(ss, w) {
			return false
		}
	}
	return true
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
