package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/feed"
	"github.com/permledger/permledger/internal/errmap"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/strictjson"
	"github.com/permledger/permledger/migrate"
	"github.com/permledger/permledger/readmodel"
)

var migrateUsage = usage{
	name:     "migrate",
	synopsis: "[flags] tsuru|deis|pypicloud FILE   |   migrate diff [flags] RUN",
	about: `Migrates a legacy system's users, teams and roles into the ledger
(SEMANTICS.md section 6; docs/migration.md has the input formats and the
mappings): a tsuru snapshot (JSON, conformance/FORMAT.md), a Deis v1
snapshot (JSON) or pypicloud's configuration file (.ini). The input is
validated here first: a bad one is refused, naming the offending entry,
before anything is sent. The run id is derived from the input's content;
running the same input again appends nothing, and resumes a run that
stopped half-way. --dry-run prints what would be appended, and who would
gain which permission, and appends nothing. Needs an admin's token
(PERMLEDGER_TOKEN, else the last login).

By default the input is submitted over NATS as the migrate command (C20):
one request, bounded by the server's payload limit (1 MiB by default) and
request time (10 s); a run cut short is resumed by running it again.
With --local the run goes through DATA's serve (admin socket), or opens
DATA itself when no serve owns it, printing progress: that is the way
for large inputs.

'migrate diff RUN' lists who gained or lost what through each step of a
run (--user: one user's changes only), from the log and the read model's
history (local, like --local).`,
	example: `permledger migrate --dry-run tsuru snapshot.json
permledger migrate tsuru snapshot.json
permledger migrate --local --data ./data deis deis.json
permledger migrate pypicloud /etc/pypicloud/server.ini
permledger migrate diff --data ./data tsuru-1f2e3d4c5b6a79881726
permledger migrate diff --data ./data --user bob@corp.com deis-7f904b97c9b7a6b16600`,
}

// Admin socket commands of migrations (a serve runs them if it knows them).
const (
	migrateCommand     = "migrate"
	migrateDiffCommand = "migrate-diff"
)

type migrateFlags struct {
	natsFlags
	local, dryRun       bool
	data, natsURL, user string
}

func (f *migrateFlags) registerMigrate(fs *flag.FlagSet, e *environ) {
	fs.BoolVar(&f.dryRun, "dry-run", false, "print what the run would append, and append nothing")
	fs.BoolVar(&f.local, "local", false, "run through DATA's serve (admin socket), or on DATA itself when no serve owns it, with progress")
	fs.StringVar(&f.data, "data", e.envOr("PERMLEDGER_DATA", "./data"), "data `dir` for --local and diff (env PERMLEDGER_DATA)")
	fs.StringVar(&f.natsURL, "nats-url", "", "with --local or diff and no serve: external NATS `url`s of the log (empty: DATA's embedded server)")
	fs.StringVar(&f.user, "user", "", "diff: only this `user`'s changes")
}

func runMigrate(ctx context.Context, e *environ, args []string) error {
	var f migrateFlags
	fs := newFlagSet(e, migrateUsage)
	f.register(fs, e)
	f.registerMigrate(fs, e)
	pos, err := parseArgs(fs, args, 2, 2)
	if err != nil {
		return helpOK(err)
	}
	if pos[0] == "diff" {
		return failed(f.diff(ctx, e, pos[1]))
	}
	rep, err := f.migrate(ctx, e, pos[0], pos[1])
	if err != nil {
		return failed(err)
	}
	return printMigration(e, f.json, rep)
}

// migrate validates the input here, then runs it over NATS or locally.
func (f *migrateFlags) migrate(ctx context.Context, e *environ, source, file string) (api.CommandReply, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return api.CommandReply{}, argsError("reading %s: %v", file, err)
	}
	if _, err := migrate.Parse(source, data); err != nil {
		return api.CommandReply{}, argsError("%s: %v", file, err)
	}
	token, err := f.actor()
	if err != nil {
		return api.CommandReply{}, err
	}
	if f.local {
		abs, err := filepath.Abs(file)
		if err != nil {
			return api.CommandReply{}, err
		}
		return f.runLocal(ctx, e, migrateArgs{Source: source, File: abs, Token: token, DryRun: f.dryRun})
	}
	return f.submit(ctx, source, data, token)
}

// submit sends C20 over NATS.
func (f *migrateFlags) submit(ctx context.Context, source string, data []byte, token string) (api.CommandReply, error) {
	snapshot := json.RawMessage(data)
	if source == "pypicloud" {
		snapshot, _ = json.Marshal(string(data))
	}
	args, err := json.Marshal(commands.Migrate{Source: source, Snapshot: snapshot, DryRun: f.dryRun})
	if err != nil {
		return api.CommandReply{}, argsError("%v", err)
	}
	var rep api.CommandReply
	err = f.call(ctx, func(ctx context.Context, c *client.Client) error {
		if max := c.Conn().MaxPayload(); int64(len(args)) > max-4096 {
			return argsError("the input is %d bytes, over what the server takes in one request (%d): use --local", len(args), max)
		}
		rep, err = c.Command(ctx, "migrate", "", token, json.RawMessage(args))
		return err
	})
	return rep, err
}

// migrateArgs are a migration's arguments on the admin socket: the file
// is read by the process that runs the migration.
type migrateArgs struct {
	Source string `json:"source"`
	File   string `json:"file"`
	Token  string `json:"token"`
	DryRun bool   `json:"dry_run"`
}

func (f *migrateFlags) runLocal(ctx context.Context, e *environ, args migrateArgs) (api.CommandReply, error) {
	if abs, err := filepath.Abs(args.File); err == nil {
		args.File = abs // a serve reading it through the admin socket has its own working directory
	}
	raw, _ := json.Marshal(args)
	lf := localFlags{data: f.data, natsURL: f.natsURL}
	owned := serveAnswers(f.data)
	var rep api.CommandReply
	err := lf.operate(ctx, e, adminRequest{Command: migrateCommand, Args: raw}, &rep,
		func(ctx context.Context, l *ledger.Ledger, progress func(string)) (any, error) {
			return migrateOn(ctx, l, raw, progress)
		})
	return rep, refusedByServe(err, owned, f.data)
}

// serveAnswers says whether a serve owns data (its admin socket answers).
func serveAnswers(data string) bool {
	c, err := net.DialTimeout("unix", adminSocketPath(data), time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// refusedByServe explains an invalid_argument from the serve that owns
// data: one whose admin socket does not run migrations refuses the command.
func refusedByServe(err error, owned bool, data string) error {
	var ae *api.Error
	if !owned || !errors.As(err, &ae) || ae.Code != api.CodeInvalidArgument {
		return err
	}
	return api.Errorf(api.CodeFailedPrecondition, "the serve that owns %s refused the command (%s): "+
		"submit the migration over NATS (without --local), or stop the serve (docs/migration.md)", data, ae.Message)
}

// migrateOn runs a migration on an open ledger, with a progress line per
// 2 percent of the steps.
func migrateOn(ctx context.Context, l *ledger.Ledger, raw json.RawMessage, progress func(string)) (any, error) {
	var args migrateArgs
	if err := strictjson.Unmarshal(raw, &args); err != nil {
		return nil, api.Errorf(api.CodeInvalidArgument, "malformed migrate args: %v", err)
	}
	data, err := os.ReadFile(args.File)
	if err != nil {
		return nil, api.Errorf(api.CodeInvalidArgument, "reading %s: %v", args.File, err)
	}
	plan, err := migrate.Parse(args.Source, data)
	if err != nil {
		return nil, api.Errorf(api.CodeInvalidArgument, "%s: %v", args.File, err)
	}
	rep, err := l.Commands.RunPlan(ctx, args.Token, plan, args.DryRun, migrationProgress(progress))
	if err != nil {
		return nil, errmap.ToAPI(err)
	}
	result, _ := json.Marshal(rep.Result)
	return api.CommandReply{Events: rep.Events, Seq: rep.Seq, Result: result}, nil
}

func migrationProgress(progress func(string)) func(commands.MigrationProgress) {
	if progress == nil {
		return nil
	}
	last := -1
	return func(p commands.MigrationProgress) {
		if pct := 50 * p.Step / p.Steps; pct != last || p.Step == p.Steps {
			last = pct
			progress(fmt.Sprintf("migrate: step %d/%d (users %d/%d)", p.Step, p.Steps, p.Users, p.UsersTotal))
		}
	}
}

func printMigration(e *environ, asJSON bool, rep api.CommandReply) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	var res commands.MigrationResult
	if err := json.Unmarshal(rep.Result, &res); err != nil {
		return fmt.Errorf("malformed migration result: %v", err)
	}
	w := e.stdout
	if res.DryRun {
		fmt.Fprintf(w, "migration %s (dry run: nothing appended, state at seq %d): %d steps\n", res.RunID, rep.Seq, res.Steps)
	} else {
		fmt.Fprintf(w, "migration %s: %d steps, %d applied now, %d done before; %d events appended, seq %d\n",
			res.RunID, res.Steps, res.Applied, res.Repeated, rep.Events, rep.Seq)
	}
	printNotes(e, res.Notes)
	if res.Preview != nil {
		printPreview(e, res.Preview)
	}
	return nil
}

func printNotes(e *environ, n *migrate.Notes) {
	if n == nil {
		return
	}
	if d := n.PasswordsDropped; len(d) > 0 {
		fmt.Fprintf(e.stdout, "passwords not carried (not bcrypt; use token-regenerate -u USER): %d: %s\n", len(d), strings.Join(d, " "))
	}
	for _, line := range n.Ignored {
		fmt.Fprintf(e.stdout, "not mapped: %s\n", line)
	}
}

func printPreview(e *environ, d *migrate.Diff) {
	w := e.stdout
	fmt.Fprintf(w, "would append %d events\n", d.Events)
	list := func(what string, names []string) {
		if len(names) == 0 {
			fmt.Fprintf(w, "%s: none\n", what)
			return
		}
		fmt.Fprintf(w, "%s (%d): %s\n", what, len(names), strings.Join(names, " "))
	}
	list("roles created", d.RolesCreated)
	list("roles changed", d.RolesChanged)
	list("teams created", d.TeamsCreated)
	list("users created", d.UsersCreated)
	list("admin flag set", d.AdminsSet)
	t := newTable("user", "role", "value")
	for _, a := range d.Assignments {
		t.add(a.User, a.Role, a.Value)
	}
	fmt.Fprintf(w, "assignments added (%d):\n", len(d.Assignments))
	t.write(w)
	g := newTable("user", "gains", "in context", "through")
	for _, x := range d.Gains {
		g.add(x.User, strings.Join(x.Permissions, "\n"), x.Context, x.Via)
	}
	fmt.Fprintf(w, "who gains what (%d):\n", len(d.Gains))
	g.write(w)
}

// runChanges is what `migrate diff` reports: the records the change feed
// computes (feed.Compute) for each step of the run found in the log.
type runChanges struct {
	RunID    string        `json:"run_id"`
	Steps    int           `json:"steps"`
	Applied  int           `json:"steps_in_log"`
	FirstSeq uint64        `json:"first_seq"`
	LastSeq  uint64        `json:"last_seq"`
	Records  []feed.Record `json:"records"`
}

type migrateDiffArgs struct {
	Run  string `json:"run"`
	User string `json:"user,omitempty"`
}

func (f *migrateFlags) diff(ctx context.Context, e *environ, run string) error {
	raw, _ := json.Marshal(migrateDiffArgs{Run: run, User: f.user})
	lf := localFlags{data: f.data, natsURL: f.natsURL}
	var out runChanges
	owned := serveAnswers(f.data)
	err := lf.operate(ctx, e, adminRequest{Command: migrateDiffCommand, Args: raw}, &out,
		func(ctx context.Context, l *ledger.Ledger, _ func(string)) (any, error) {
			return migrateDiffOn(ctx, l, raw)
		})
	if err := refusedByServe(err, owned, f.data); err != nil {
		return err
	}
	if f.json {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	printRunChanges(e, out)
	return nil
}

// migrateDiffOn finds the run's steps by their command ids (RUN:0, RUN:1,
// ...) and computes each step message's records, two steps at a time.
func migrateDiffOn(ctx context.Context, l *ledger.Ledger, raw json.RawMessage) (any, error) {
	var args migrateDiffArgs
	if err := strictjson.Unmarshal(raw, &args); err != nil {
		return nil, api.Errorf(api.CodeInvalidArgument, "malformed migrate-diff args: %v", err)
	}
	seqs, err := stepSeqs(l.Store, args.Run)
	if err != nil {
		return nil, errmap.ToAPI(err)
	}
	if len(seqs) == 0 {
		return nil, api.Errorf(api.CodeNotFound, "no step of a migration run %q is in the log", args.Run)
	}
	out := runChanges{RunID: args.Run, Applied: len(seqs), FirstSeq: seqs[0], LastSeq: seqs[len(seqs)-1], Records: []feed.Record{}}
	recs, steps, errs := make([][]feed.Record, len(seqs)), make([]int, len(seqs)), make([]error, len(seqs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				recs[i], steps[i], errs[i] = stepRecords(ctx, l, seqs[i], args.User)
			}
		})
	}
	for i := range seqs {
		next <- i
	}
	close(next)
	wg.Wait()
	for i := range seqs {
		if errs[i] != nil {
			return nil, errs[i]
		}
		out.Records = append(out.Records, recs[i]...)
		out.Steps = max(out.Steps, steps[i])
	}
	return out, nil
}

// stepRecords computes the records of the step at seq (only user's, if
// set) and reads the run's step count from its marker.
func stepRecords(ctx context.Context, l *ledger.Ledger, seq uint64, user string) ([]feed.Record, int, error) {
	m, err := l.Log.Get(ctx, seq)
	if err != nil {
		return nil, 0, api.Errorf(api.CodeUnavailable, "reading seq %d: %v", seq, err)
	}
	b, err := events.DecodeBatch(m.Data)
	if err != nil {
		return nil, 0, errmap.ToAPI(err)
	}
	steps := stepsOf(b)
	slim, ok := slimBatch(b, user)
	if !ok {
		return nil, steps, nil
	}
	data, err := events.EncodeBatch(slim)
	if err != nil {
		return nil, 0, errmap.ToAPI(err)
	}
	recs, err := feed.ComputeRecords(l.Store, seq, data)
	if err != nil {
		return nil, 0, errmap.ToAPI(err)
	}
	return recs, steps, nil
}

// slimBatch keeps what feed.Compute's records of a step depend on: its
// role edits, and one event per user it concerns (Compute reads the
// user's state before and after the whole message, and reads the past
// state once for every event it is given). With user set, only that
// user's event. ok is false when nothing is left.
func slimBatch(b events.Batch, user string) (events.Batch, bool) {
	out := b
	out.Events = nil
	seen := map[string]bool{}
	for _, env := range b.Events {
		p, err := events.Decode(env)
		if err != nil {
			continue
		}
		switch u := events.UserOf(p); {
		case u == "" && user == "" && isRoleEdit(p):
			out.Events = append(out.Events, env)
		case u != "" && !seen[u] && (user == "" || u == user):
			seen[u] = true
			out.Events = append(out.Events, env)
		}
	}
	return out, len(out.Events) > 0
}

func isRoleEdit(p events.Payload) bool {
	switch p.(type) {
	case events.RolePermissionsAdded, events.RolePermissionsRemoved:
		return true
	}
	return false
}

// stepSeqs are the sequences of the run's steps in the log, in order. A run
// appends its steps in order, so the first missing one ends the list.
func stepSeqs(store *readmodel.Store, run string) ([]uint64, error) {
	var seqs []uint64
	err := store.View(func(v *readmodel.View) error {
		for i := 0; ; i++ {
			c, err := v.Command(fmt.Sprintf("%s:%d", run, i))
			if err != nil || c == nil {
				return err
			}
			seqs = append(seqs, c.Seq)
		}
	})
	return seqs, err
}

// stepsOf reads the run's step count from a step's marker event.
func stepsOf(b events.Batch) int {
	for _, env := range b.Events {
		if p, err := events.Decode(env); err == nil {
			if m, ok := p.(events.MigrationStepApplied); ok {
				return m.Steps
			}
		}
	}
	return 0
}

func printRunChanges(e *environ, c runChanges) {
	fmt.Fprintf(e.stdout, "migration %s: %d of %d steps in the log, seq %d to %d (check --at-seq %d answers as just before it)\n",
		c.RunID, c.Applied, c.Steps, c.FirstSeq, c.LastSeq, c.FirstSeq-1)
	t := newTable("seq", "who", "change", "permission", "context", "through")
	for _, r := range c.Records {
		if r.Kind == feed.KindRole {
			if len(r.Added) > 0 {
				t.add(fmt.Sprint(r.Seq), "every holder of role "+r.Role, "gained", strings.Join(r.Added, "\n"), r.RoleType, "role edit")
			}
			if len(r.Removed) > 0 {
				t.add(fmt.Sprint(r.Seq), "every holder of role "+r.Role, "lost", strings.Join(r.Removed, "\n"), r.RoleType, "role edit")
			}
			continue
		}
		t.add(fmt.Sprint(r.Seq), r.User, r.Change, r.Permission, r.Context, r.Via)
	}
	t.write(e.stdout)
}
