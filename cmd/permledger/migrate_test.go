package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// migOut is one finished `permledger migrate ...`.
type migOut struct {
	stdout, stderr string
	err            error
}

// migRun runs the program with PERMLEDGER_TOKEN set and no login file.
func migRun(t *testing.T, token string, args ...string) migOut {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env := map[string]string{"PERMLEDGER_TOKEN": token, "PERMLEDGER_CONFIG_DIR": t.TempDir()}
	var out, errOut bytes.Buffer
	err := run(ctx, args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return migOut{stdout: out.String(), stderr: errOut.String(), err: err}
}

// migLedger opens a ledger on dir serving the NATS API and returns it with
// root's token.
func migLedger(t *testing.T, dir string) (*ledger.Ledger, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := ledger.Open(ctx, ledger.Config{DataDir: dir, Embedded: natsserver.Config{Port: -1},
		BcryptCost: bcrypt.MinCost, ServeAPI: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(map[string]string{"user": "root@corp.com", "password": "rootpw"})
	rep, err := l.Commands.Execute(ctx, commands.Request{Name: "login", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	return l, rep.Token
}

func migFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func migSeq(t *testing.T, l *ledger.Ledger) uint64 {
	t.Helper()
	seq, err := l.Log.LastSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

const migTsuru = `{"admin_team":"admins","teams":["admins","t1","t2"],"users":[
	{"user":"x@corp.com","teams":["admins"]},{"user":"y@corp.com","teams":["t1","t2"]},{"user":"w@corp.com","teams":[]}]}`

// Over NATS: the dry run prints the plan and who gains what and appends
// nothing; the run appends; a second run, as JSON, appends nothing.
func TestMigrateCommandOverNATS(t *testing.T) {
	l, root := migLedger(t, t.TempDir())
	file, server := migFile(t, "tsuru.json", migTsuru), l.Server.ClientURL()
	before := migSeq(t, l)
	dry := migRun(t, root, "migrate", "--server", server, "--dry-run", "tsuru", file)
	if dry.err != nil || migSeq(t, l) != before {
		t.Fatalf("dry run: %v (%s); appended %d", dry.err, dry.stderr, migSeq(t, l)-before)
	}
	for _, want := range []string{"dry run: nothing appended", "roles created (3): admin team-creator team-member",
		"teams created (3)", "users created (3)", "who gains what (4)", "team:t1", "role team-member", "app"} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, dry.stdout)
		}
	}
	first := migRun(t, root, "migrate", "--server", server, "tsuru", file)
	if first.err != nil || !strings.Contains(first.stdout, "migration tsuru-") || migSeq(t, l) == before {
		t.Fatalf("run: %v %s %s", first.err, first.stdout, first.stderr)
	}
	again := migRun(t, root, "migrate", "--server", server, "--json", "tsuru", file)
	var rep api.CommandReply
	if err := json.Unmarshal([]byte(again.stdout), &rep); err != nil || again.err != nil || rep.Events != 0 {
		t.Fatalf("second run: %v %v %s", again.err, err, again.stdout)
	}
	var res commands.MigrationResult
	if err := json.Unmarshal(rep.Result, &res); err != nil || res.Repeated != res.Steps || res.Steps == 0 {
		t.Errorf("second run result: %s", rep.Result)
	}
}

// A bad input is refused before anything is sent, naming the entry: no
// server needs to answer.
func TestMigrateCommandRefusesBadInput(t *testing.T) {
	for _, c := range []struct{ source, input, want string }{
		{"tsuru", `{"admin_team":"admins","teams":["admins"],"users":[{"user":"a","teams":["t9"]}]}`, `team "t9" is not among the teams`},
		{"tsuru", `{"admin_team":"admins","teams":["t1"],"users":[]}`, `the admin team "admins" is not among the teams`},
		{"tsuru", `{"admin_team":"a","teams":["a"],"users":[{"user":"u","teams":[]},{"user":"u","teams":[]}]}`, `users[1]: user "u" is repeated`},
		{"deis", `{"users":[],"apps":[{"id":"web","owner":"ghost","collaborators":[]}]}`, `owner "ghost"`},
		{"pypicloud", "[app:main]\nuser.a = x\nuser.a = y\n", "user.a is repeated"},
		{"ldap", `{}`, "unknown migration source"},
	} {
		out := migRun(t, "some-token", "migrate", "--server", "nats://127.0.0.1:1", c.source, migFile(t, "in", c.input))
		if out.err == nil || !strings.Contains(out.err.Error(), c.want) {
			t.Errorf("%s %s: error = %v, want one naming %q", c.source, c.input, out.err, c.want)
		}
	}
}

// An input over what one NATS request takes is refused with the way out.
func TestMigrateCommandTooLargeForNATS(t *testing.T) {
	l, root := migLedger(t, t.TempDir())
	var b strings.Builder
	b.WriteString(`{"admin_team":"admins","teams":["admins"],"users":[`)
	for i := range 30000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"user":"a-rather-long-user-name-%06d@corp.example.com","teams":["admins"]}`, i)
	}
	b.WriteString("]}")
	out := migRun(t, root, "migrate", "--server", l.Server.ClientURL(), "tsuru", migFile(t, "big.json", b.String()))
	if out.err == nil || !strings.Contains(out.err.Error(), "use --local") {
		t.Errorf("error = %v, want the advice to use --local", out.err)
	}
}

// --local opens DATA when no serve owns it and prints progress; migrate
// diff then lists who gained what through the run.
func TestMigrateCommandLocalAndDiff(t *testing.T) {
	dir := t.TempDir()
	l, root := migLedger(t, dir)
	l.Close()
	deis := `{"users":[{"username":"ann","is_superuser":true},{"username":"bob","is_superuser":false}],
		"apps":[{"id":"web","owner":"ann","collaborators":["bob"]}]}`
	out := migRun(t, root, "migrate", "--local", "--data", dir, "deis", migFile(t, "deis.json", deis))
	if out.err != nil {
		t.Fatalf("local run: %v\n%s", out.err, out.stderr)
	}
	if !strings.Contains(out.stderr, "migrate: step 2/2 (users 2/2)") || !strings.Contains(out.stdout, "migration deis-") {
		t.Errorf("local run printed:\n%s\n%s", out.stdout, out.stderr)
	}
	run := strings.Fields(strings.TrimPrefix(out.stdout, "migration "))[0]
	run = strings.TrimSuffix(run, ":")
	diff := migRun(t, root, "migrate", "diff", "--data", dir, run)
	if diff.err != nil {
		t.Fatalf("diff: %v\n%s", diff.err, diff.stderr)
	}
	for _, want := range []string{"2 of 2 steps in the log", "| bob", "app.deploy", "app:web", "role app-collaborator", "| ann", "admin"} {
		if !strings.Contains(diff.stdout, want) {
			t.Errorf("diff output lacks %q:\n%s", want, diff.stdout)
		}
	}
	asJSON := migRun(t, root, "migrate", "diff", "--json", "--data", dir, run)
	var c runChanges
	if err := json.Unmarshal([]byte(asJSON.stdout), &c); err != nil || c.Applied != 2 || len(c.Records) == 0 {
		t.Errorf("diff --json: %v %s", err, asJSON.stdout)
	}
	bob := migRun(t, root, "migrate", "diff", "--json", "--user", "bob", "--data", dir, run)
	var b runChanges
	if err := json.Unmarshal([]byte(bob.stdout), &b); err != nil || len(b.Records) != 8 {
		t.Errorf("diff --user bob: %v %s; want bob's 8 gains", err, bob.stdout)
	}
	for _, r := range b.Records {
		if r.User != "bob" || r.Change != "gained" || r.Context != "app:web" {
			t.Errorf("diff --user bob: %+v", r)
		}
	}
	if missing := migRun(t, root, "migrate", "diff", "--data", dir, "deis-0000"); missing.err == nil || !strings.Contains(missing.err.Error(), "deis-0000") {
		t.Errorf("diff of an unknown run: %v", missing.err)
	}
}

// --local with a serve owning DATA goes through its admin socket: the run
// is done there, with its progress, and appends.
func TestMigrateCommandLocalThroughAServe(t *testing.T) {
	dir := t.TempDir()
	l, root := migLedger(t, dir)
	ln, err := listenAdmin(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := newAdminServer(ln, l, slog.New(slog.DiscardHandler))
	go a.serve()
	defer a.close()
	before := migSeq(t, l)
	out := migRun(t, root, "migrate", "--local", "--data", dir, "tsuru", migFile(t, "tsuru.json", migTsuru))
	if out.err != nil {
		t.Fatalf("migrate --local through the serve: %v (%s)", out.err, out.stderr)
	}
	if !strings.Contains(out.stdout, "migration tsuru-") || migSeq(t, l) == before {
		t.Errorf("run through the serve: stdout %q, stderr %q, seq %d -> %d", out.stdout, out.stderr, before, migSeq(t, l))
	}
}
