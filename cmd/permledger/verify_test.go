package main

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// TestVerifyReportsDifferences: a key the log does not explain, written
// straight into the read model, is a difference: verify prints it and
// exits 1. Then replay rebuilds the read model from the log and verify
// is clean again.
func TestVerifyReportsDifferences(t *testing.T) {
	dir := t.TempDir()
	c := &cli{t: t, env: map[string]string{"PERMLEDGER_DATA": dir}}
	c.ok("rootpw\n", "root-user-create", "--bcrypt-cost", "4", "root@corp.com")
	db, err := pebble.Open(filepath.Join(dir, "readmodel"), &pebble.Options{Logger: quietPebble{t}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Set([]byte("zz/bogus"), []byte("x"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	r := c.run("", "verify")
	want := regexp.MustCompile(`^verify: 1 differences at seq 2 \(\d+ keys compared\):\n  key "zz/bogus": live "x", rebuilt \(absent\)\n$`)
	if r.code != 1 || !want.MatchString(r.stdout) {
		t.Errorf("verify: exit %d, stdout %q, stderr %q; want 1 and the difference", r.code, r.stdout, r.stderr)
	}
	c.expect(0, `^compacted: `, `^compacting the read model`, "compact") // no serve: on DATA itself
	c.expect(0, `^replayed: `, "", "replay")
	c.expect(0, `^verified: the read model matches the log at seq 2 `, "", "verify")
}

// quietPebble keeps Pebble's informational lines out of the test output.
type quietPebble struct{ t *testing.T }

func (quietPebble) Infof(string, ...any)                {}
func (q quietPebble) Errorf(format string, args ...any) { q.t.Logf(format, args...) }
func (q quietPebble) Fatalf(format string, args ...any) { q.t.Fatalf(format, args...) }
