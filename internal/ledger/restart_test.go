package ledger

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/permledger/permledger/client"
)

// After a restart the projector resumes exactly where it stopped, and a read
// model rebuilt from the log alone equals the live one key by key.
func TestRestartResumesAndReplayRebuildsTheSameReadModel(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, nil)
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	run := func(c *client.Client, name string, args any) {
		t.Helper()
		if _, err := c.Command(ctx, name, "", root, args); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	run(c, "team-create", map[string]string{"team": "blue"})
	run(c, "user-create", map[string]string{"user": "bob@corp.com", "password": "bobpw"})
	run(c, "role-add", map[string]string{"role": "deployer", "context": "team"})
	run(c, "role-permission-add", map[string]any{"role": "deployer", "permissions": []string{"app.deploy"}})
	before := lastSeq(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	l = openTest(t, dir, nil)
	if got := l.Store.Applied(); got != before {
		t.Fatalf("after restart applied = %d, want %d", got, before)
	}
	c = client.New(l.Conn)
	run(c, "role-assign", map[string]string{"role": "deployer", "user": "bob@corp.com", "value": "blue"})
	rep, err := c.Check(ctx, checkReq("bob@corp.com", "app.deploy", "team:blue"))
	if err != nil || !rep.Allowed {
		t.Fatalf("check after restart: %+v %v", rep, err)
	}
	liveKeys := l.Store.Keys()
	live, n, err := l.Store.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}

	// Throw the read model away: the log is the truth.
	if err := os.RemoveAll(filepath.Join(dir, "readmodel")); err != nil {
		t.Fatal(err)
	}
	l = openTest(t, dir, nil)
	defer l.Close()
	rebuilt, m, err := l.Store.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if rebuilt != live || m != n {
		diff := map[string]int{}
		for _, k := range liveKeys {
			diff[k]++
		}
		for _, k := range l.Store.Keys() {
			diff[k]--
		}
		for k, v := range diff {
			if v != 0 {
				t.Logf("key %q: live-rebuilt = %d", k, v)
			}
		}
		t.Errorf("rebuilt read model differs: %d keys %s, live %d keys %s", m, rebuilt, n, live)
	}
}
