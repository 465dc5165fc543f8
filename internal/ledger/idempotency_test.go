package ledger

import (
	"testing"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/natslog"
)

// A resubmitted command id answers the first outcome and appends nothing,
// also after JetStream's duplicate window has passed; a token is not shown
// again.
func TestIdempotentCommandIDs(t *testing.T) {
	l := openTest(t, t.TempDir(), func(c *Config) { c.Stream = natslog.Config{Duplicates: 200 * time.Millisecond} })
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)

	first, err := c.Command(ctx, "team-create", "cmd-1", root, map[string]string{"team": "blue"})
	if err != nil || first.Events == 0 {
		t.Fatalf("first team-create: %+v, %v", first, err)
	}
	login1, err := c.Command(ctx, "login", "login-1", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil || login1.Token == "" {
		t.Fatalf("login: %+v %v", login1, err)
	}
	time.Sleep(400 * time.Millisecond) // let the log's duplicate window pass: the ledger's own record must answer
	before := lastSeq(t, l)
	again, err := c.Command(ctx, "team-create", "cmd-1", root, map[string]string{"team": "blue"})
	if err != nil {
		t.Fatalf("repeat: %v", err)
	}
	if !again.Repeat || again.Events != 0 || again.Seq != first.Seq {
		t.Errorf("repeat = %+v, want repeat of seq %d with 0 events", again, first.Seq)
	}
	login2, err := c.Command(ctx, "login", "login-1", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil || !login2.Repeat || login2.Token != "" || login2.Seq != login1.Seq {
		t.Errorf("repeated login = %+v, %v; want a repeat without a token", login2, err)
	}
	if got := lastSeq(t, l); got != before {
		t.Errorf("repeats appended: last seq %d -> %d", before, got)
	}
	_, err = c.Command(ctx, "team-create", "cmd-1", root, map[string]string{"team": "red"})
	if code(err) != api.CodeFailedPrecondition {
		t.Errorf("reusing a command id for other arguments: err = %v, want failed_precondition", err)
	}
}

// A command that failed appended nothing and runs again under the same id.
func TestFailedCommandRunsAgain(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	args := map[string]string{"role": "deployer", "user": "bob@corp.com", "value": "blue"}
	if _, err := c.Command(ctx, "role-add", "", root, map[string]string{"role": "deployer", "context": "team"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Command(ctx, "role-assign", "assign-1", root, args); code(err) != api.CodeNotFound {
		t.Fatalf("assign to a missing user: %v, want not_found", err)
	}
	for _, step := range []struct {
		name string
		args any
	}{
		{"team-create", map[string]string{"team": "blue"}},
		{"user-create", map[string]string{"user": "bob@corp.com", "password": "pw"}},
	} {
		if _, err := c.Command(ctx, step.name, "", root, step.args); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := c.Command(ctx, "role-assign", "assign-1", root, args)
	if err != nil || rep.Repeat || rep.Events != 1 {
		t.Errorf("second try of a failed id = %+v, %v; want it to run", rep, err)
	}
}
