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
	el, err := r.rebuild(ctx, c, toSeq)
	if err != nil {
		return err
	}
	if raw, err = fastestRawRead(ctx, js, toSeq, raw); err != nil {
		return err
	}
	r.logf("rebuild: %s; fastest raw read %s", el.Round(time.Millisecond), raw.Round(time.Millisecond))
	got, base := rate(events, el), rate(events, raw)
	x := row{figure: fmt.Sprintf("rebuild of %s events (%s messages) into a fresh read model", thousands(int64(events)), thousands(int64(toSeq))),
		value: fmtRate(got, "events"), baseline: fmtRate(base, "events"), ratio: got / base}
	atLeastRatio(&x, 0.5)
	r.table.add(x)
	return nil
}

// rebuild times projector.Rebuild up to toSeq into a scratch folder.
func (r *runner) rebuild(ctx context.Context, c *child, toSeq uint64) (time.Duration, error) {
	log, err := natslog.Open(ctx, c.nc, natslog.Config{})
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp(r.base, "rebuild-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	st, err := projector.Rebuild(ctx, log, filepath.Join(dir, "readmodel"), readmodel.Options{}, toSeq, nil)
	if err != nil {
		return 0, err
	}
	el := time.Since(start)
	return el, st.Close()
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
		if md.Sequence.Stream >= toSeq {
			return time.Since(start), nil
		}
	}
}
