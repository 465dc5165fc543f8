package ledger

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/natsserver"
)

// With --sync default neither JetStream nor Pebble fsyncs each write, so a
// power loss can leave the read model ahead of the log: the log lost its
// acknowledged tail, the read model kept it. This test builds that state by
// restoring an older copy of the JetStream store under a newer read model.
// The log is the truth (SEMANTICS section 7): the ledger must not serve
// state the log does not hold.
func TestReadModelAheadOfTheLogIsNotServed(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, nil)
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	if _, err := c.Command(ctx, "user-create", "", root, map[string]string{"user": "bob", "password": "pw"}); err != nil {
		t.Fatal(err)
	}
	kept := lastSeq(t, l)
	l.Close()
	backup := filepath.Join(t.TempDir(), "nats")
	if err := copyTree(filepath.Join(dir, "nats"), backup); err != nil {
		t.Fatalf("backing up the JetStream store: %v", err)
	}
	l = openTest(t, dir, nil)
	c = client.New(l.Conn)
	if _, err := c.Command(ctx, "grant", "", root, map[string]string{"user": "bob", "permission": "pool.create"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := os.RemoveAll(filepath.Join(dir, "nats")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(backup, filepath.Join(dir, "nats")); err != nil {
		t.Fatal(err)
	}
	checkLostTail(t, dir, kept)
}

// checkLostTail opens dir, whose log ends at kept while its read model is
// ahead, and wants either a refusal or a read model at the log's state.
func checkLostTail(t *testing.T, dir string, kept uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Open(ctx, Config{DataDir: dir, Embedded: natsserver.Config{Port: -1}, BcryptCost: 4, ServeAPI: true})
	if err != nil {
		t.Logf("Open refused the read model ahead of the log: %v", err)
		return
	}
	defer l.Close()
	if got := lastSeq(t, l); got != kept {
		t.Fatalf("the restored log ends at %d, want %d", got, kept)
	}
	if applied := l.Store.Applied(); applied > kept {
		t.Fatalf("Open serves a read model at seq %d, ahead of the log's last seq %d", applied, kept)
	}
	rep, err := client.New(l.Conn).Check(ctx, checkReq("bob", "pool.create"))
	if err != nil || rep.Allowed {
		t.Errorf("check answers %+v, %v: the grant is not in the log", rep, err)
	}
}

// copyTree copies the files under src to dst.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
}
