package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/migrate"
)

// largeSnapshot is a tsuru snapshot of users users and teams teams: every
// user in one to three teams, one in a hundred in the admin team too.
func largeSnapshot(users, teams int) []byte {
	s := migrate.TsuruSnapshot{AdminTeam: "admins", Teams: []string{"admins"}}
	for i := range teams {
		s.Teams = append(s.Teams, fmt.Sprintf("team-%05d", i))
	}
	for i := range users {
		u := migrate.TsuruUser{User: fmt.Sprintf("user-%06d@corp.example.com", i)}
		for j := range 1 + i%3 {
			u.Teams = append(u.Teams, fmt.Sprintf("team-%05d", (i*7+j*1031)%teams))
		}
		if i%100 == 0 {
			u.Teams = append(u.Teams, "admins")
		}
		s.Users = append(s.Users, u)
	}
	b, _ := json.Marshal(s)
	return b
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestMigrateLarge migrates a snapshot of 10^5 users and 10^4 teams
// (PERMLEDGER_MIGRATE_USERS, PERMLEDGER_MIGRATE_TEAMS) and, in the same
// process and on the same embedded server, publishes the same messages with
// raw JetStream PublishAsync, and reports both rates. It runs only with
// PERMLEDGER_MIGRATE_LARGE=1:
//
//	PERMLEDGER_MIGRATE_LARGE=1 go test -run TestMigrateLarge -v -timeout 30m ./internal/ledger/
//
// PERMLEDGER_MIGRATE_STEPWISE=1 waits for the read model after every step,
// as runs did before they were chained, for comparison.
func TestMigrateLarge(t *testing.T) {
	if os.Getenv("PERMLEDGER_MIGRATE_LARGE") == "" || testing.Short() {
		t.Skip("set PERMLEDGER_MIGRATE_LARGE=1 to migrate 10^5 users")
	}
	users, teams := envInt("PERMLEDGER_MIGRATE_USERS", 100_000), envInt("PERMLEDGER_MIGRATE_TEAMS", 10_000)
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	l := migOpen(t, t.TempDir(), "")
	root := migRoot(t, l)
	data := largeSnapshot(users, teams)

	start := time.Now()
	plan, err := migrate.Parse("tsuru", data)
	if err != nil {
		t.Fatal(err)
	}
	parsed := time.Since(start)
	before := migLast(t, l)
	var appended time.Duration
	start = time.Now()
	stepwise := os.Getenv("PERMLEDGER_MIGRATE_STEPWISE") != ""
	rep, err := l.Commands.RunPlan(ctx, root, plan, false, func(p commands.MigrationProgress) {
		if stepwise {
			seq, err := l.Log.LastSeq(ctx)
			if err == nil {
				err = l.Store.WaitApplied(ctx, seq)
			}
			if err != nil {
				t.Error(err)
			}
		}
		if p.Step%max(p.Steps/10, 1) == 0 || p.Step == p.Steps {
			t.Logf("migrate: step %d/%d (users %d/%d) %v", p.Step, p.Steps, p.Users, p.UsersTotal, time.Since(start).Round(time.Millisecond))
		}
		if p.Step == p.Steps {
			appended = time.Since(start)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	run := time.Since(start)
	msgs, size := runMessages(t, l, before, migLast(t, l))
	raw := rawPublishAsync(t, ctx, l.Conn, msgs)

	start = time.Now()
	again, err := l.Commands.RunPlan(ctx, root, plan, false, nil)
	if err != nil || again.Events != 0 {
		t.Fatalf("re-run: %+v, %v", again, err)
	}
	rerun := time.Since(start)

	mb := float64(size) / 1e6
	t.Logf("snapshot: %d users, %d teams, %.1f MB JSON, parsed and planned in %v", users, teams, float64(len(data))/1e6, parsed.Round(time.Millisecond))
	t.Logf("stepwise (wait for the read model after every step): %v", stepwise)
	t.Logf("migration: %d events in %d messages (%.1f MB) in %v (all appended at %v): %.0f events/s, %.0f msgs/s, %.1f MB/s",
		rep.Events, len(msgs), mb, run.Round(time.Millisecond), appended.Round(time.Millisecond),
		float64(rep.Events)/run.Seconds(), float64(len(msgs))/run.Seconds(), mb/run.Seconds())
	t.Logf("raw JetStream PublishAsync of the same %d messages: %v: %.0f msgs/s, %.1f MB/s (%.0f events/s if they were the run's)",
		len(msgs), raw.Round(time.Millisecond), float64(len(msgs))/raw.Seconds(), mb/raw.Seconds(), float64(rep.Events)/raw.Seconds())
	t.Logf("migration / raw: %.3fx; re-run (appends nothing): %v", raw.Seconds()/run.Seconds(), rerun.Round(time.Millisecond))
}

// runMessages reads the messages a run appended, after from up to to.
func runMessages(t *testing.T, l *ledger.Ledger, from, to uint64) ([][]byte, int) {
	t.Helper()
	var msgs [][]byte
	size := 0
	err := l.Log.ReadUntil(migCtx(t), from+1, to, func(m natslog.Msg) error {
		msgs, size = append(msgs, m.Data), size+len(m.Data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return msgs, size
}

// rawPublishAsync publishes msgs to a stream of their own on the same
// server (file storage, as the log) with PublishAsync, and times it until
// every ack is in.
func rawPublishAsync(t *testing.T, ctx context.Context, nc *nats.Conn, msgs [][]byte) time.Duration {
	t.Helper()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(256))
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MIGRATE_RAW", Subjects: []string{"migrate.raw"}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := js.PublishAsync("migrate.raw", m)
		if err != nil {
			t.Fatal(err)
		}
		futures = append(futures, f)
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-ctx.Done():
		t.Fatal("raw publish: no acks")
	}
	d := time.Since(start)
	for _, f := range futures {
		select {
		case err := <-f.Err():
			t.Fatalf("raw publish: %v", err)
		default:
		}
	}
	if info, err := st.Info(ctx); err != nil || info.State.Msgs != uint64(len(msgs)) {
		t.Fatalf("raw stream holds %+v, %v; want %d messages", info, err, len(msgs))
	}
	return d
}
