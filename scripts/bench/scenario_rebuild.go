package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/projector"
	"github.com/permledger/permledger/readmodel"
)

// rebuildScenario rebuilds the read model from the first messages of the
// log holding cfg.rebuildEvs events into a fresh folder, the way replay and
// verify do (projector.Rebuild over the NATS log), and compares it with a
// raw ordered-consumer read of the same messages. Both run in the runner,
// reading from the server's JetStream; the raw read runs before and after,
// and the fastest is the baseline.
func (r *runner) rebuildScenario(ctx context.Context, c *child, d *dataset) error {
	toSeq, events := r.rebuildRange()
	js, err := jetstream.New(c.nc)
	if err != nil {
		return err
	}
	raw, err := fastestRawRead(ctx, js, toSeq, 0)
	if err != nil {
		return err
	}
	el, used, err := r.rebuild(ctx, c, toSeq)
	if err != nil {
		return err
	}
	if raw, err = fastestRawRead(ctx, js, toSeq, raw); err != nil {
		return err
	}
	decoded, err := readAndDecode(ctx, js, toSeq)
	if err != nil {
		return err
	}
	r.logf("rebuild: %s; fastest raw read %s; read and decoded %s", el.Round(time.Millisecond),
		raw.Round(time.Millisecond), decoded.Round(time.Millisecond))
	got, base := rate(events, el), rate(events, raw)
	x := row{figure: fmt.Sprintf("rebuild of %s events (%s messages) into a fresh read model", thousands(int64(events)), thousands(int64(toSeq))),
		value: fmtRate(got, "events"), baseline: fmtRate(base, "events"), ratio: got / base}
	atLeastRatio(&x, 0.5)
	r.table.add(x)
	dec := rate(events, decoded)
	r.table.add(row{figure: "rebuild's ceiling: the same messages read and decoded as the projector decodes them, nothing applied (info)",
		value: fmtRate(dec, "events"), baseline: fmtRate(base, "events"), ratio: dec / base})
	r.table.add(cpuBudgetRow("rebuild: CPU per event, both processes, against what the target leaves (info)", used, events, base, 0.5))
	return nil
}

// readAndDecode reads messages 1..toSeq as the projector's reader does (an
// ordered consumer buffering 16 MiB) and decodes each with
// readmodel.Decode, on the reading goroutine as the projector does while
// it catches up, and applies nothing: what a rebuild costs before its
// first write.
func readAndDecode(ctx context.Context, js jetstream.JetStream, toSeq uint64) (time.Duration, error) {
	return readRange(ctx, js, toSeq, 16<<20, func(m jetstream.Msg, seq uint64) error {
		if d := readmodel.Decode(m.Data()); d.Err() != nil {
			return fmt.Errorf("message %d: %w", seq, d.Err())
		}
		return nil
	})
}

// rebuild times projector.Rebuild up to toSeq into a scratch folder, and
// the CPU both processes used in the same time (Pebble's work after
// Rebuild returns, while the store closes, is in neither).
func (r *runner) rebuild(ctx context.Context, c *child, toSeq uint64) (time.Duration, cpuMark, error) {
	log, err := natslog.Open(ctx, c.nc, natslog.Config{})
	if err != nil {
		return 0, cpuMark{}, err
	}
	dir, err := os.MkdirTemp(r.base, "rebuild-")
	if err != nil {
		return 0, cpuMark{}, err
	}
	defer os.RemoveAll(dir)
	start, cpu := time.Now(), markCPU(c)
	st, err := projector.Rebuild(ctx, log, filepath.Join(dir, "readmodel"), readmodel.Options{}, toSeq, nil)
	if err != nil {
		return 0, cpuMark{}, err
	}
	el, used := time.Since(start), cpu.since(c)
	return el, used, st.Close()
}

// fastestRawRead reads the range with client buffers of 4 and 16 MiB
// (the projector's) and returns the fastest read, best included.
func fastestRawRead(ctx context.Context, js jetstream.JetStream, toSeq uint64, best time.Duration) (time.Duration, error) {
	for _, buf := range []int{4 << 20, 16 << 20} {
		d, err := rawRead(ctx, js, toSeq, buf)
		if err != nil {
			return 0, err
		}
		if best == 0 || d < best {
			best = d
		}
	}
	return best, nil
}

// rebuildRange is the first sequence by which the log holds cfg.rebuildEvs
// events of the bulk load, and the events up to it (the few messages before
// the load are counted as one event each).
func (r *runner) rebuildRange() (uint64, int) {
	cum := r.load.cumEvents
	i := sort.SearchInts(cum, r.cfg.rebuildEvs)
	if i >= len(cum) {
		i = len(cum) - 1
	}
	before := int(r.load.firstSeq - 1)
	return r.load.firstSeq + uint64(i), cum[i] + before
}

// rawRead reads messages 1..toSeq with an ordered consumer, buffering up
// to buf bytes, and does nothing with them. (The client library's default
// of 500 buffered messages, with messages of hundreds of KiB, reads up to
// ten times slower: not a fair baseline.)
func rawRead(ctx context.Context, js jetstream.JetStream, toSeq uint64, buf int) (time.Duration, error) {
	return readRange(ctx, js, toSeq, buf, func(jetstream.Msg, uint64) error { return nil })
}

// readRange reads messages 1..toSeq with an ordered consumer buffering up
// to buf bytes, hands each to fn, and returns the time it took.
func readRange(ctx context.Context, js jetstream.JetStream, toSeq uint64, buf int, fn func(m jetstream.Msg, seq uint64) error) (time.Duration, error) {
	start := time.Now()
	cons, err := js.OrderedConsumer(ctx, natslog.DefaultStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		return 0, err
	}
	it, err := cons.Messages(jetstream.PullMaxBytes(buf))
	if err != nil {
		return 0, err
	}
	defer it.Stop()
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return 0, err
		}
		md, err := m.Metadata()
		if err != nil {
			return 0, err
		}
		if err := fn(m, md.Sequence.Stream); err != nil {
			return 0, err
		}
		if md.Sequence.Stream >= toSeq {
			return time.Since(start), nil
		}
	}
}
