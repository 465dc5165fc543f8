package ledger

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/natsserver"
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// openTest opens a ledger with an embedded server on a random port.
func openTest(t testing.TB, dir string, mod func(*Config)) *Ledger {
	t.Helper()
	cfg := Config{DataDir: dir, Embedded: natsserver.Config{Port: -1}, BcryptCost: 4, ServeAPI: true}
	if mod != nil {
		mod(&cfg)
	}
	l, err := Open(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("open ledger: %v", err)
	}
	return l
}

// rootToken bootstraps root@corp.com and logs it in over NATS.
func rootToken(t *testing.T, l *Ledger, c *client.Client) string {
	t.Helper()
	ctx := testCtx(t)
	if _, err := RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatalf("root-user-create: %v", err)
	}
	rep, err := c.Command(ctx, "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return rep.Token
}

func lastSeq(t *testing.T, l *Ledger) uint64 {
	t.Helper()
	seq, err := l.Log.LastSeq(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func code(err error) string { return api.CodeOf(err) }

func checkReq(user, perm string, contexts ...string) api.CheckRequest {
	if contexts == nil {
		contexts = []string{}
	}
	return api.CheckRequest{User: user, Permission: perm, Contexts: contexts}
}

// step is one command of a test's set-up.
type step struct {
	name string
	args any
}

// runSteps runs set-up commands, each of which must succeed.
func runSteps(t *testing.T, c *client.Client, token string, steps ...step) {
	t.Helper()
	for _, s := range steps {
		if _, err := c.Command(testCtx(t), s.name, "", token, s.args); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
}
