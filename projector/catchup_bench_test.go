package projector

import (
	"context"
	"fmt"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// memSource is a log held in memory: the projector's pipeline without NATS.
type memSource []natslog.Msg

func (s memSource) Read(ctx context.Context, from uint64, fn func(natslog.Msg) error) error {
	return s.ReadUntil(ctx, from, 0, fn)
}

func (s memSource) ReadUntil(ctx context.Context, from, to uint64, fn func(natslog.Msg) error) error {
	if to == 0 {
		to = uint64(len(s))
	}
	for seq := from; seq <= to; seq++ {
		m := s[seq-1]
		m.Pending = to - seq
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

// bulkLog is the catalog and roles, then msgs messages of 100 users of ten
// holdings each, as scripts/bench's bulk load appends them.
func bulkLog(tb testing.TB, msgs int) (memSource, int) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	batches := [][]events.Payload{{events.CatalogRecorded{Catalog: catalog.Default().JSON()},
		events.RoleCreated{Role: "member", Context: "team"}, events.RoleCreated{Role: "deployer", Context: "app"}}}
	for i := range msgs * 100 {
		u, t, a := fmt.Sprintf("user-%07d@corp.example", i), fmt.Sprintf("team-%06d", i/10), fmt.Sprintf("app-%07d", i/2)
		if i%100 == 0 {
			batches = append(batches, nil)
		}
		ps := []events.Payload{events.UserCreated{User: u, PasswordHash: "$2a$04$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01", Status: events.StatusActive}}
		for _, r := range [][2]string{{"member", t}, {"member", t + "x"}, {"creator", ""}, {"deployer", a}, {"deployer", a + "x"}, {"pool", "pool-001"}, {"service", "service-001"}} {
			ps = append(ps, events.RoleAssigned{Role: r[0], User: u, Value: r[1]})
		}
		ps = append(ps, events.PermissionGranted{User: u, Permission: "app.update.env.set", Context: "app:" + a},
			events.PermissionGranted{User: u, Permission: "job", Context: "team:" + t},
			events.PermissionRevoked{User: u, Permission: "app.deploy", Context: "app:" + a + "x"})
		batches[len(batches)-1] = append(batches[len(batches)-1], ps...)
	}
	var src memSource
	n := 0
	for i, ps := range batches {
		m := events.Meta{Time: at, Actor: "bench-admin", CommandID: fmt.Sprint("load:", i), RunID: "load"}
		data, err := events.EncodeBatch(events.NewBatch(m, "bench-load", ps))
		if err != nil {
			tb.Fatal(err)
		}
		src = append(src, natslog.Msg{Seq: uint64(i + 1), Time: at, Data: data})
		n += len(ps)
	}
	return src, n
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRebuild times Rebuild from an in-memory log of 300 messages of
// 100 users (330,000 events, the quick bench's rebuild) into a fresh read
// model: the projector's whole pipeline (decoding, applying, Pebble's
// flushes) without NATS. cpu-ns/event is the process's CPU time, which the
// machine's other load disturbs less than the rate.
func BenchmarkRebuild(b *testing.B) {
	src, n := bulkLog(b, 300)
	benchRebuild(b, src, n)
}

// BenchmarkRebuildFromNATS is BenchmarkRebuild reading the log from an
// embedded JetStream server (in this process: its CPU time counts), as
// replay does.
func BenchmarkRebuildFromNATS(b *testing.B) {
	msgs, n := bulkLog(b, 300)
	l := openLog(b)
	for _, m := range msgs {
		seq, err := l.Append(context.Background(), m.Data, "", m.Seq-1, nil)
		if err != nil || seq != m.Seq {
			b.Fatal(seq, err)
		}
	}
	benchRebuild(b, l, n)
}

func benchRebuild(b *testing.B, src Source, n int) {
	var cpu time.Duration
	b.ResetTimer()
	for range b.N {
		c0 := cpuTime()
		st, err := Rebuild(context.Background(), src, b.TempDir(), readmodel.Options{Logger: slog.New(slog.DiscardHandler)}, uint64(n/1100+1), nil)
		if err != nil {
			b.Fatal(err)
		}
		cpu += cpuTime() - c0
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n*b.N), "cpu-ns/event")
}
