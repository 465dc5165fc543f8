package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/natslog"
)

// maxPendingAsync bounds the unacknowledged PublishAsync calls, for the bulk
// path and its baseline alike.
const maxPendingAsync = 256

// stallWait is how long PublishAsync may wait for room under
// maxPendingAsync: a server busy applying millions of events acknowledges
// late, and the library's default (200ms) would fail the load.
var stallWait = jetstream.WithStallWait(time.Minute)

// loadResult is what a bulk load did.
type loadResult struct {
	messages, events int
	bytes            int64
	firstSeq         uint64
	cumEvents        []int         // cumulative events after each message of the load
	acked            time.Duration // until JetStream acknowledged the last append
	elapsed          time.Duration // until the read model applied it
	cpuAcked         cpuMark       // CPU both processes used until acknowledged
	cpuApplied       cpuMark       // and until applied
}

// bulkLoad is the bulk path: the data set's event batches, encoded by the
// events codec, appended to the ledger's stream with PublishAsync (each with
// its expected last sequence and its command id as Nats-Msg-Id, so a
// concurrent writer or a repeat fails instead of corrupting the log), then
// applied by the ledger's own projector. It returns once the read model has
// applied the last message: the data set is then visible to checks.
func bulkLoad(ctx context.Context, c *child, d *dataset, logf func(string, ...any)) (loadResult, error) {
	js, err := jetstream.New(c.nc, jetstream.WithPublishAsyncMaxPending(maxPendingAsync))
	if err != nil {
		return loadResult{}, err
	}
	last, err := streamLastSeq(ctx, js, natslog.DefaultStream)
	if err != nil {
		return loadResult{}, err
	}
	res := loadResult{firstSeq: last + 1}
	msgs := make(chan message, 64)
	genErr := make(chan error, 1)
	go func() { genErr <- generate(ctx, d, msgs) }()
	start, cpu := time.Now(), markCPU(c)
	progress := time.Now()
	for m := range msgs {
		pm := &nats.Msg{Subject: natslog.DefaultSubject, Data: m.data}
		if _, err := js.PublishMsgAsync(pm, jetstream.WithMsgID(m.id), jetstream.WithExpectLastSequence(last), stallWait); err != nil {
			return res, fmt.Errorf("bulk load: publish after %d: %w", last, err)
		}
		last++
		res.messages++
		res.events += m.events
		res.bytes += int64(len(m.data))
		res.cumEvents = append(res.cumEvents, res.events)
		if time.Since(progress) > 10*time.Second {
			progress = time.Now()
			logf("bulk load: %d events published in %s", res.events, time.Since(start).Round(time.Second))
		}
	}
	if err := <-genErr; err != nil {
		return res, err
	}
	if err := awaitAcks(ctx, js); err != nil {
		return res, err
	}
	res.acked, res.cpuAcked = time.Since(start), cpu.since(c)
	logf("bulk load: acknowledged after %s", res.acked.Round(time.Millisecond))
	if err := waitApplied(ctx, c.nc, last); err != nil {
		return res, err
	}
	res.elapsed, res.cpuApplied = time.Since(start), cpu.since(c)
	logf("bulk load: %d events in %d messages applied in %s", res.events, res.messages, res.elapsed.Round(time.Millisecond))
	return res, nil
}

func generate(ctx context.Context, d *dataset, out chan<- message) error {
	defer close(out)
	g := d.generator()
	for ctx.Err() == nil {
		m, ok, err := g.next()
		if err != nil || !ok {
			return err
		}
		out <- m
	}
	return ctx.Err()
}

// awaitAcks waits for every pending PublishAsync acknowledgement; a failed
// one is reported through the futures' error handler, so check the stream
// afterwards instead: the caller compares sequences.
func awaitAcks(ctx context.Context, js jetstream.JetStream) error {
	select {
	case <-js.PublishAsyncComplete():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(5 * time.Minute):
		return errors.New("bulk load: acknowledgements did not arrive within 5 minutes")
	}
}

func streamLastSeq(ctx context.Context, js jetstream.JetStream, name string) (uint64, error) {
	s, err := js.Stream(ctx, name)
	if err != nil {
		return 0, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, err
	}
	return info.State.LastSeq, nil
}

// waitApplied polls the API's last-seq until the read model applied seq and
// the stream holds it (a failed async append would leave the stream short).
func waitApplied(ctx context.Context, nc *nats.Conn, seq uint64) error {
	cl := client.New(nc)
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		rep, err := cl.LastSeq(ctx)
		if err != nil {
			// A server busy applying millions of events may answer late;
			// only the deadline ends the wait.
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		if rep.Stream < seq {
			return fmt.Errorf("bulk load: the stream ends at %d, want %d: an append failed", rep.Stream, seq)
		}
		if rep.Applied >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the read model did not apply %d in time", seq)
}

// rawStream creates a scratch stream on the server for a baseline, with the
// log's storage settings, and returns it with its subject.
func rawStream(ctx context.Context, js jetstream.JetStream) (jetstream.Stream, string, error) {
	const subject = "bench.raw"
	s, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name: "BENCHRAW", Subjects: []string{subject}, Storage: jetstream.FileStorage,
		Retention: jetstream.LimitsPolicy, Replicas: 1, Duplicates: natslog.DefaultDuplicates,
	})
	return s, subject, err
}

// rawPublishAsync is the bulk baseline: messages of the same sizes as the
// bulk load's (the data set's own user messages, encoded before the clock
// starts), published with plain PublishAsync to a scratch stream.
// It returns the rate and the CPU per event both processes used.
func rawPublishAsync(ctx context.Context, c *child, d *dataset, events int) (float64, cpuMark, error) {
	sample, n, err := sampleMessages(d, events)
	if err != nil {
		return 0, cpuMark{}, err
	}
	js, err := jetstream.New(c.nc, jetstream.WithPublishAsyncMaxPending(maxPendingAsync))
	if err != nil {
		return 0, cpuMark{}, err
	}
	_, subject, err := rawStream(ctx, js)
	if err != nil {
		return 0, cpuMark{}, err
	}
	defer js.DeleteStream(context.WithoutCancel(ctx), "BENCHRAW")
	start, cpu := time.Now(), markCPU(c)
	for _, data := range sample {
		if _, err := js.PublishAsync(subject, data, stallWait); err != nil {
			return 0, cpuMark{}, err
		}
	}
	if err := awaitAcks(ctx, js); err != nil {
		return 0, cpuMark{}, err
	}
	el, used := time.Since(start), cpu.since(c)
	return rate(n, el), cpuMark{runner: used.runner / time.Duration(n), server: used.server / time.Duration(n)}, nil
}

// sampleMessages encodes the first user messages of the data set up to
// about events events.
func sampleMessages(d *dataset, events int) ([][]byte, int, error) {
	g := d.generator()
	var out [][]byte
	n := 0
	for n < events {
		m, ok, err := g.next()
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			break
		}
		if m.users > 0 {
			out = append(out, m.data)
			n += m.events
		}
	}
	return out, n, nil
}

// settleLimit bounds the wait for the server's compactions after the load.
const settleLimit = 4 * time.Minute

// bulkScenario measures the raw baseline on the fresh server, then loads the
// large data set through the bulk path.
func (r *runner) bulkScenario(ctx context.Context, c *child, d *dataset) error {
	raw, rawCPU, err := rawPublishAsync(ctx, c, d, r.cfg.rawBulkEvs)
	if err != nil {
		return err
	}
	r.logf("raw PublishAsync: %s, CPU %s an event (server %s, runner %s)", fmtRate(raw, "events"),
		rawCPU.total(), rawCPU.server, rawCPU.runner)
	c.resetPeak()
	res, err := bulkLoad(ctx, c, d, r.logf)
	if err != nil {
		return err
	}
	r.load = res
	r.loadPeakRSS = c.resetPeak()
	users, holdings := thousands(int64(d.users)), thousands(int64(d.users*holdingsPerUser))
	appended := rate(res.events, res.acked)
	x := row{figure: fmt.Sprintf("bulk load of %s users / %s holdings: events appended (acknowledged, as the baseline)", users, holdings),
		value: fmtRate(appended, "events"), baseline: fmtRate(raw, "events"), ratio: appended / raw}
	atLeastRatio(&x, 0.5)
	r.table.add(x)
	applied := rate(res.events, res.elapsed)
	r.table.add(row{figure: "bulk load: events appended and applied by the projector (visible to checks) (info)",
		value: fmtRate(applied, "events"), baseline: fmtRate(raw, "events"), ratio: applied / raw})
	r.table.add(cpuBudgetRow("bulk load: CPU per event until acknowledged, both processes, against what the target leaves (info)", res.cpuAcked, res.events, raw, 0.5))
	r.table.add(cpuBudgetRow("bulk load: CPU per event until applied, both processes, against what the target leaves (info)", res.cpuApplied, res.events, raw, 0.5))
	r.note("Bulk load: the data set's event batches, %d users (%d events, %s) a message, appended with PublishAsync "+
		"(expected last sequence and command id on each) while the server's projector applies them: %s events acknowledged in %s, applied in %s. "+
		"Baseline: plain PublishAsync of %s events of the same messages, encoded before the clock starts, to a scratch stream on the same server, before the load; "+
		"it used %s of CPU an event (server %s, runner %s).",
		d.usersPerMsg, d.usersPerMsg*eventsPerUser, fmtKiB(res.bytes/int64(max(res.messages, 1))), thousands(int64(res.events)),
		res.acked.Round(time.Second), res.elapsed.Round(time.Second), thousands(int64(r.cfg.rawBulkEvs)),
		fmtNanos(float64(rawCPU.total())), fmtNanos(float64(rawCPU.server)), fmtNanos(float64(rawCPU.runner)))
	// The load leaves Pebble a compaction debt (~600 MiB at 10^6 users),
	// which later writes would set off in the background, on the cores the
	// next scenarios time: pay it now (readmodel.Store.CompactAll), then
	// wait until no compaction runs.
	_, debt, err := c.settle(0)
	if err != nil {
		return err
	}
	start, cpu := time.Now(), c.cpuTime()
	if err := c.compact(settleLimit); err != nil {
		return err
	}
	compacted, compactCPU := time.Since(start), c.cpuTime()-cpu
	waited, left, err := c.settle(settleLimit)
	if err != nil {
		return err
	}
	r.logf("compacted the read model (debt %s) in %s, %s of CPU; then no compaction for 2s after %s, debt %s",
		fmtBytes(int64(debt)), compacted.Round(time.Millisecond), compactCPU.Round(time.Millisecond), waited.Round(time.Millisecond), fmtBytes(int64(left)))
	r.note("After the load the server compacted its read model (Pebble's estimated debt %s) in %s, %s of CPU, before the next scenarios.",
		fmtBytes(int64(debt)), compacted.Round(time.Second), compactCPU.Round(time.Second))
	return nil
}
