package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/queries"
	"github.com/permledger/permledger/readmodel"
)

// TestMain lets the test binary be the child server too: startChild runs
// os.Executable() with "serve".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The answers the scenarios expect are the answers the evaluator gives on
// the generated data set.
func TestDatasetCheckCasesHoldOnTheReadModel(t *testing.T) {
	d, err := newDataset(200, 7)
	if err != nil {
		t.Fatal(err)
	}
	st, err := readmodel.Open(t.TempDir(), readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := events.Meta{Time: time.Now(), CommandID: "catalog"}
	data, _ := events.EncodeBatch(events.Batch{CommandID: "catalog", Command: "test",
		Events: []events.Envelope{events.New(m, events.CatalogRecorded{Catalog: catalog.Default().JSON()})}})
	msgs := []readmodel.Msg{{Seq: 1, Time: m.Time, Data: data}}
	g := d.generator()
	for {
		msg, ok, err := g.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		msgs = append(msgs, readmodel.Msg{Seq: uint64(len(msgs) + 1), Time: m.Time, Data: msg.data})
	}
	if _, err := st.Apply(msgs); err != nil {
		t.Fatal(err)
	}
	qs := queries.New(st)
	for i := range d.users {
		for k := range 5 {
			c := d.checkCase(i, k)
			res, err := qs.Check(context.Background(), queries.CheckRequest{User: c.user, Permission: c.perm, Contexts: c.contexts})
			if err != nil {
				t.Fatal(err)
			}
			if res.Decision.Allowed != c.allowed {
				t.Fatalf("user %d case %d %+v: allowed=%v (%s)", i, k, c, res.Decision.Allowed, res.Decision.Reason)
			}
		}
	}
	var u *readmodel.User
	_ = st.View(func(v *readmodel.View) (err error) { u, err = v.User(userName(3)); return err })
	if n := len(u.Assignments) + len(u.Overrides); n != holdingsPerUser {
		t.Errorf("a user holds %d, want %d", n, holdingsPerUser)
	}
}

// writeSection replaces its own section and keeps the prose around it.
func TestReportWriteSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	os.WriteFile(path, []byte("# Benchmarks\n\nProse.\n"), 0o644)
	tb := &table{}
	x := row{figure: "f", value: "2", baseline: "1", ratio: 2}
	atLeastRatio(&x, 0.5)
	tb.add(x)
	for _, cmd := range []string{"first", "second"} {
		r := &report{mode: "quick", command: cmd, started: time.Now(), table: tb}
		if err := r.writeSection(path); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	s := string(b)
	if !strings.Contains(s, "Prose.") || strings.Contains(s, "first") || !strings.Contains(s, "second") ||
		strings.Count(s, "bench:quick:begin") != 1 || !strings.Contains(s, "| pass |") {
		t.Errorf("BENCHMARKS.md:\n%s", s)
	}
}

// A whole run on tiny data sets: every row is there, and a run ends either
// passing or with errTargetsMissed, never another error.
func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("starts servers")
	}
	cfg := defaultConfig(true)
	cfg.users, cfg.smallUsers, cfg.usersPerMsg = 300, 30, 10
	cfg.phase, cfg.rounds, cfg.natsReqs, cfg.inprocOps = 300*time.Millisecond, 1, 500, 500
	cfg.freshTries, cfg.minSeqTries, cfg.rebuildEvs, cfg.rawBulkEvs = 20, 100, 1000, 2000
	cfg.write = filepath.Join(t.TempDir(), "BENCHMARKS.md")
	var out bytes.Buffer
	r := &runner{cfg: cfg, out: &out, log: io.Discard, table: &table{}}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := r.run(ctx, []string{"--quick"}); err != nil && !errors.Is(err, errTargetsMissed) {
		t.Fatal(err)
	}
	for _, want := range []string{"bulk load", "HTTP check throughput", "NATS check latency p50", "NATS check latency p99",
		"sequential grant", "freshness without", "freshness with min_seq", "rebuild of", "resident memory",
		"in-process check (queries API)", "check latency (in-process median)", "rebuild's ceiling",
		"rebuild: CPU per event", "bulk load: CPU per event until acknowledged", "bulk load: CPU per event until applied"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q row in\n%s", want, out.String())
		}
	}
	if b, err := os.ReadFile(cfg.write); err != nil || !strings.Contains(string(b), "bench:quick:begin") {
		t.Errorf("the section was not written: %v", err)
	}
}

// BenchmarkGenerate is the bulk path's generation and encoding alone: one
// message of 100 users (1,100 events) an iteration.
func BenchmarkGenerate(b *testing.B) {
	d, err := newDataset(1_000_000, 100)
	if err != nil {
		b.Fatal(err)
	}
	g := d.generator()
	g.rolesOut, g.team = true, d.teams() // users' messages only
	evs := 0
	b.ResetTimer()
	for b.Loop() {
		m, ok, err := g.next()
		if err != nil || !ok {
			b.Fatal(ok, err)
		}
		evs += m.events
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(evs), "ns/event")
}

// The CPU budget is the machine's cores for the time the target allows.
func TestCPUBudgetRow(t *testing.T) {
	cores := runtime.NumCPU()
	// 10^6 events/s at 0.5× allows 2 µs of wall time an event: 2·cores µs of CPU.
	used := cpuMark{server: time.Duration(3*cores) * time.Second, runner: time.Duration(cores) * time.Second}
	r := cpuBudgetRow("x", used, 1_000_000, 1e6, 0.5)
	if want := 2.0; math.Abs(r.ratio-want) > 1e-9 {
		t.Errorf("ratio %v, want %v (%+v)", r.ratio, want, r)
	}
	if r.hasGoal {
		t.Error("an info row has a goal")
	}
}
