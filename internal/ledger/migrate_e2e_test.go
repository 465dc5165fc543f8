package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
	"github.com/permledger/permledger/migrate"
)

func migCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// migOpen opens a ledger on dir: with the embedded server, or on the NATS
// server at natsURL.
func migOpen(t *testing.T, dir, natsURL string) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(migCtx(t), ledger.Config{DataDir: dir, NATSURL: natsURL,
		Embedded: natsserver.Config{Port: -1}, BcryptCost: bcrypt.MinCost, ServeAPI: true})
	if err != nil {
		t.Fatalf("open ledger: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// migRoot bootstraps root@corp.com and returns its token.
func migRoot(t *testing.T, l *ledger.Ledger) string {
	t.Helper()
	ctx := migCtx(t)
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(map[string]string{"user": "root@corp.com", "password": "rootpw"})
	rep, err := l.Commands.Execute(ctx, commands.Request{Name: "login", Args: args})
	if err != nil {
		t.Fatal(err)
	}
	return rep.Token
}

func migLast(t *testing.T, l *ledger.Ledger) uint64 {
	t.Helper()
	seq, err := l.Log.LastSeq(migCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// migEvents decodes the log's events after seq.
func migEvents(t *testing.T, l *ledger.Ledger, after uint64) []events.Envelope {
	t.Helper()
	var out []events.Envelope
	err := l.Log.ReadUntil(migCtx(t), after+1, 0, func(m natslog.Msg) error {
		b, err := events.DecodeBatch(m.Data)
		out = append(out, b.Events...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func migCheck(t *testing.T, c *client.Client, at uint64, user, perm string, contexts ...string) string {
	t.Helper()
	rep, err := c.Check(migCtx(t), api.CheckRequest{User: user, Permission: perm, Contexts: append([]string{}, contexts...), AtSeq: at})
	if err != nil {
		t.Fatalf("check %s %s %v: %v", user, perm, contexts, err)
	}
	if rep.Allowed {
		return "allow " + rep.Rule
	}
	return "deny " + rep.Rule
}

func migResult(t *testing.T, raw json.RawMessage) commands.MigrationResult {
	t.Helper()
	var res commands.MigrationResult
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("migration result %s: %v", raw, err)
	}
	return res
}

// Deis over NATS (C20 with source deis): a dry run appends nothing and
// says who gains what; the run makes superusers admins (R1), owners
// unlimited on their app (R2), collaborators hold the mapped permissions on
// theirs only; a Django bcrypt hash logs in; every event carries the run
// id; a check before the run answers as before; a second run appends nothing.
func TestMigrateDeisOverNATS(t *testing.T) {
	l := migOpen(t, t.TempDir(), "")
	root, c := migRoot(t, l), client.New(l.Conn)
	ctx := migCtx(t)
	hash, _ := bcrypt.GenerateFromPassword([]byte("bobpw"), bcrypt.MinCost)
	snapshot := fmt.Sprintf(`{"users":[
		{"username":"gabrtv","is_superuser":true,"password":"pbkdf2_sha256$12000$abc$def="},
		{"username":"bob","is_superuser":false,"password":"bcrypt$%s"},
		{"username":"carol","is_superuser":false}],
		"apps":[{"id":"web","owner":"bob","collaborators":["carol"]},{"id":"api","owner":"gabrtv","collaborators":[]}]}`, hash)
	args := func(dry bool) map[string]any {
		return map[string]any{"source": "deis", "snapshot": json.RawMessage(snapshot), "dry_run": dry}
	}
	before := migLast(t, l)
	dry, err := c.Command(ctx, "migrate", "", root, args(true))
	if err != nil || dry.Events != 0 || migLast(t, l) != before {
		t.Fatalf("dry run = %+v, %v; appended %d", dry, err, migLast(t, l)-before)
	}
	preview := migResult(t, dry.Result)
	if p := preview.Preview; p == nil || len(p.AdminsSet) != 1 || len(p.Gains) != 4 || preview.Notes == nil || len(preview.Notes.PasswordsDropped) != 1 {
		t.Fatalf("dry run result = %s", dry.Result)
	}
	rep, err := c.Command(ctx, "migrate", "", root, args(false))
	if err != nil || rep.Events == 0 {
		t.Fatalf("run = %+v, %v", rep, err)
	}
	res := migResult(t, rep.Result)
	for _, q := range []struct {
		user, perm, ctx, want string
	}{
		{"gabrtv", "pool.create", "", "allow R1"},
		{"bob", "app.delete", "app:web", "allow R2"},
		{"bob", "app.delete", "app:api", "deny R5"},
		{"carol", "app.deploy", "app:web", "allow R4"},
		{"carol", "app.update.env.set", "app:web", "allow R4"},
		{"carol", "app.read.env", "app:web", "allow R4"},
		{"carol", "app.delete", "app:web", "deny R5"},
		{"carol", "app.deploy", "app:api", "deny R5"},
	} {
		var ctxs []string
		if q.ctx != "" {
			ctxs = []string{q.ctx}
		}
		if got := migCheck(t, c, 0, q.user, q.perm, ctxs...); got != q.want {
			t.Errorf("check %s %s %s = %s, want %s", q.user, q.perm, q.ctx, got, q.want)
		}
	}
	if got := migCheck(t, c, before, "carol", "app.deploy", "app:web"); got != "deny R5" {
		t.Errorf("check before the run = %s, want deny R5", got)
	}
	if _, err := c.Command(ctx, "login", "", "", map[string]string{"user": "bob", "password": "bobpw"}); err != nil {
		t.Errorf("bob's carried bcrypt hash: login: %v", err)
	}
	for _, env := range migEvents(t, l, before)[:rep.Events] {
		if env.RunID != res.RunID {
			t.Errorf("event %s carries run id %q, want %q", env.Type, env.RunID, res.RunID)
		}
	}
	again, err := c.Command(ctx, "migrate", "", root, args(false))
	if err != nil || again.Events != 0 || migResult(t, again.Result).Repeated != res.Steps {
		t.Errorf("second run = %+v (%s), %v; want all steps already done", again, again.Result, err)
	}
	dryAfter, err := c.Command(ctx, "migrate", "", root, args(true))
	if r := migResult(t, dryAfter.Result); err != nil || r.Repeated != r.Steps || r.Preview == nil || r.Preview.Events != 0 {
		t.Errorf("a dry run after the run = %s, %v; want every step done and nothing to append", dryAfter.Result, err)
	}
}

// pypicloud through RunPlan: groups are teams whose members get
// team-member, auth.admins the admin flag.
func TestMigratePypicloud(t *testing.T) {
	l := migOpen(t, t.TempDir(), "")
	root, c := migRoot(t, l), client.New(l.Conn)
	data, err := os.ReadFile("../../migrate/testdata/pypicloud.ini")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := migrate.Parse("pypicloud", data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Commands.RunPlan(migCtx(t), root, plan, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events == 0 {
		t.Fatal("the run appended nothing")
	}
	for _, q := range []struct{ user, perm, ctx, want string }{
		{"stevearc", "pool.create", "", "allow R1"},
		{"dsa", "app.deploy", "team:packagers", "allow R4"},
		{"dsa", "app.deploy", "team:data-science", "allow R4"},
		{"ci", "app.deploy", "team:data-science", "deny R5"},
		{"ci", "team.create", "", "deny R5"},
	} {
		var ctxs []string
		if q.ctx != "" {
			ctxs = []string{q.ctx}
		}
		if got := migCheck(t, c, 0, q.user, q.perm, ctxs...); got != q.want {
			t.Errorf("check %s %s %s = %s, want %s", q.user, q.perm, q.ctx, got, q.want)
		}
	}
}

// bigPlan is a tsuru plan of n users in teams of 10, every 50th an admin.
func bigPlan(n int) *migrate.Plan {
	s := &migrate.TsuruSnapshot{AdminTeam: "admins", Teams: []string{"admins"}}
	for i := range n/10 + 1 {
		s.Teams = append(s.Teams, fmt.Sprintf("team%04d", i))
	}
	for i := range n {
		u := migrate.TsuruUser{User: fmt.Sprintf("user%05d@corp.com", i), Teams: []string{fmt.Sprintf("team%04d", i/10)}}
		if i%50 == 0 {
			u.Teams = append(u.Teams, "admins")
		}
		s.Users = append(s.Users, u)
	}
	return s.Plan()
}

// seqsOf lists the sequences of the messages holding an event of type typ.
func seqsOf(t *testing.T, l *ledger.Ledger, typ string) []uint64 {
	t.Helper()
	var out []uint64
	err := l.Log.ReadUntil(migCtx(t), 1, 0, func(m natslog.Msg) error {
		b, err := events.DecodeBatch(m.Data)
		for _, env := range b.Events {
			if env.Type == typ {
				out = append(out, m.Seq)
				break
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// markers counts each step's migration.step_applied in the log.
func markers(t *testing.T, l *ledger.Ledger) map[int]int {
	t.Helper()
	out := map[int]int{}
	for _, env := range migEvents(t, l, 0) {
		if env.Type == events.TypeMigrationStepApplied {
			p, err := events.Decode(env)
			if err != nil {
				t.Fatal(err)
			}
			out[p.(events.MigrationStepApplied).Step]++
		}
	}
	return out
}

// A run stopped half-way (its context ends after 3 steps, then the
// process goes away) resumes: run again, it appends only the missing
// steps, each step is in the log once, and the total is what one clean
// run appends. Running it again at once, while the read model may still
// be behind the log, also appends nothing twice.
func TestMigrateResumesAfterAStop(t *testing.T) {
	plan := bigPlan(1000)
	steps := len(plan.Steps())
	clean := migOpen(t, t.TempDir(), "")
	cleanRep, err := clean.Commands.RunPlan(migCtx(t), migRoot(t, clean), bigPlan(1000), false, nil)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	l := migOpen(t, dir, "")
	root := migRoot(t, l)
	ctx, stop := context.WithCancel(migCtx(t))
	_, err = l.Commands.RunPlan(ctx, root, plan, false, func(p commands.MigrationProgress) {
		if p.Step == 3 {
			stop()
		}
	})
	if err == nil {
		t.Fatal("the stopped run succeeded")
	}
	if got := len(markers(t, l)); got != 3 {
		t.Fatalf("%d steps in the log after the stop, want 3", got)
	}
	l.Close()

	l = migOpen(t, dir, "")
	rep, err := l.Commands.RunPlan(migCtx(t), root, bigPlan(1000), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Result.(commands.MigrationResult)
	if res.Repeated != 3 || res.Applied != steps-3 {
		t.Errorf("resumed run: %d applied, %d done before; want %d and 3", res.Applied, res.Repeated, steps-3)
	}
	for i := range steps {
		if n := markers(t, l)[i]; n != 1 {
			t.Errorf("step %d is in the log %d times", i, n)
		}
	}
	first := migEvents(t, clean, 0)
	if got, want := len(migEvents(t, l, 0)), len(first); got != want {
		t.Errorf("the stopped and resumed run left %d events, a clean run %d", got, want)
	}
	if cleanRep.Events == 0 {
		t.Error("the clean run appended nothing")
	}
	last := migLast(t, l)
	if _, err := l.Commands.RunPlan(migCtx(t), root, bigPlan(1000), false, nil); err != nil || migLast(t, l) != last {
		t.Errorf("a third run: %v, appended %d", err, migLast(t, l)-last)
	}
}

// A run stopped in the middle of its chain is run again at once, before
// the read model has caught up: the expected sequence catches the lag,
// and no step is appended twice.
func TestMigrateRerunWhileTheReadModelLags(t *testing.T) {
	l := migOpen(t, t.TempDir(), "")
	root := migRoot(t, l)
	ctx, stop := context.WithCancel(migCtx(t))
	_, err := l.Commands.RunPlan(ctx, root, bigPlan(2000), false, func(p commands.MigrationProgress) {
		if p.Step == 8 {
			stop()
		}
	})
	if err == nil {
		t.Fatal("the stopped run succeeded")
	}
	if _, err := l.Commands.RunPlan(migCtx(t), root, bigPlan(2000), false, nil); err != nil {
		t.Fatal(err)
	}
	for step, n := range markers(t, l) {
		if n != 1 {
			t.Errorf("step %d is in the log %d times", step, n)
		}
	}
}

// Another instance appends in the middle of a run (between two of its
// steps): the run's chain breaks, it catches up and finishes, and both
// the run and the other command are in the state.
func TestMigrateWithAConcurrentWriter(t *testing.T) {
	l1 := migOpen(t, t.TempDir(), "")
	root := migRoot(t, l1)
	l2 := migOpen(t, t.TempDir(), l1.Server.ClientURL())
	args, _ := json.Marshal(map[string]string{"team": "hand-made"})
	plan := bigPlan(2000)
	var otherErr error
	rep, err := l1.Commands.RunPlan(migCtx(t), root, plan, false, func(p commands.MigrationProgress) {
		if p.Step == 5 {
			_, otherErr = l2.Commands.Execute(migCtx(t), commands.Request{Name: "team-create", Token: root, Args: args})
		}
	})
	if err != nil || otherErr != nil {
		t.Fatalf("run: %v; the other writer: %v", err, otherErr)
	}
	res := rep.Result.(commands.MigrationResult)
	if res.Applied != res.Steps {
		t.Errorf("%d of %d steps applied", res.Applied, res.Steps)
	}
	for step, n := range markers(t, l1) {
		if n != 1 {
			t.Errorf("step %d is in the log %d times", step, n)
		}
	}
	steps, teams := seqsOf(t, l1, events.TypeMigrationStepApplied), seqsOf(t, l1, events.TypeTeamCreated)
	if other := teams[len(teams)-1]; other < steps[4] || other > steps[len(steps)-1] {
		t.Errorf("the other writer's team-create is at seq %d, not within the run (%d..%d)", other, steps[0], steps[len(steps)-1])
	}
	c := client.New(l1.Conn)
	if got := migCheck(t, c, 0, "user01999@corp.com", "app.deploy", "team:team0199"); got != "allow R4" {
		t.Errorf("the last user: %s", got)
	}
	if got := migCheck(t, c, 0, "root@corp.com", "app.deploy", "team:hand-made"); got != "allow R1" {
		t.Errorf("the other writer's team: %s", got)
	}
}

// RunPlan answers C20's errors in order and appends nothing for any of
// them: a bad token, a bad plan, a non-admin actor.
func TestRunPlanRefuses(t *testing.T) {
	l := migOpen(t, t.TempDir(), "")
	root := migRoot(t, l)
	args, _ := json.Marshal(map[string]string{"user": "dev@corp.com", "password": "devpw"})
	if _, err := l.Commands.Execute(migCtx(t), commands.Request{Name: "user-create", Token: root, Args: args}); err != nil {
		t.Fatal(err)
	}
	login, _ := json.Marshal(map[string]string{"user": "dev@corp.com", "password": "devpw"})
	dev, err := l.Commands.Execute(migCtx(t), commands.Request{Name: "login", Args: login})
	if err != nil {
		t.Fatal(err)
	}
	bad := bigPlan(10)
	bad.Assignments = append(bad.Assignments, migrate.Assignment{User: "user00001@corp.com", Role: "team-member", Value: "ghost"})
	unknownPerm := bigPlan(10)
	unknownPerm.Roles[0].Permissions = []string{"app.fly"}
	before := migLast(t, l)
	for _, c := range []struct {
		name  string
		token string
		plan  *migrate.Plan
		want  error
	}{
		{"a bad token", "nope", bigPlan(10), commands.ErrUnauthenticated},
		{"a bad plan, from a non-admin", dev.Token, bad, commands.ErrInvalidArgument},
		{"a role with an unknown permission", root, unknownPerm, commands.ErrInvalidArgument},
		{"a non-admin", dev.Token, bigPlan(10), commands.ErrForbidden},
	} {
		if _, err := l.Commands.RunPlan(migCtx(t), c.token, c.plan, false, nil); !errors.Is(err, c.want) {
			t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
		}
	}
	if got := migLast(t, l); got != before {
		t.Errorf("refused runs appended %d messages", got-before)
	}
}

// Names of the longest length, escaped six times over in JSON, still make
// steps under NATS's 1 MiB payload.
func TestMigrateLongNames(t *testing.T) {
	l := migOpen(t, t.TempDir(), "")
	root := migRoot(t, l)
	long := func(i int) string { return fmt.Sprintf("%05d%s", i, strings.Repeat("<", 249)) }
	s := &migrate.TsuruSnapshot{AdminTeam: long(99999), Teams: []string{long(99999)}}
	for i := range 1500 {
		s.Teams = append(s.Teams, long(i))
	}
	for i := range 600 {
		s.Users = append(s.Users, migrate.TsuruUser{User: long(i), Teams: []string{long(i), long(i + 600), long(99999)}})
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commands.RunPlan(migCtx(t), root, s.Plan(), false, nil); err != nil {
		t.Fatalf("run: %v", err)
	}
}
