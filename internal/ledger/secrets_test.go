package ledger

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/permledger/permledger/client"
)

// Tokens and passwords never reach the log or the read model in plaintext:
// every file under the data folder (JetStream's store, Pebble's WAL and
// tables) is searched for them.
func TestNoPlaintextSecretsOnDisk(t *testing.T) {
	dir := t.TempDir()
	l := openTest(t, dir, nil)
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	const password = "correct-horse-battery-staple"
	if _, err := c.Command(ctx, "user-create", "", root, map[string]string{"user": "bob@corp.com", "password": password}); err != nil {
		t.Fatal(err)
	}
	login, err := c.Command(ctx, "login", "", "", map[string]string{"user": "bob@corp.com", "password": password})
	if err != nil {
		t.Fatal(err)
	}
	regen, err := c.Command(ctx, "token-regenerate", "", login.Token, map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := c.Command(ctx, "registration-token-issue", "", root, map[string]any{"ttl_seconds": 60})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil { // flush everything to files
		t.Fatal(err)
	}
	secrets := []string{password, "rootpw", root, login.Token, regen.Token, rt.Token}
	files, control := 0, 0 // control: the plaintext user name must be found, or the search proves nothing
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if bytes.Contains(b, []byte("bob@corp.com")) {
			control++
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a plaintext secret (%.6s…)", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 || control < 2 {
		t.Fatalf("searched %d files, %d hold the user name in plaintext: the search would prove nothing", files, control)
	}
}
