package projector

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natsserver"
)

// BenchmarkTransportBySize measures the two baselines of scripts/bench
// (PublishAsync to a stream, an ordered-consumer read of it) for the same
// 660,000 events in messages of 1,100 events, at several sizes per event:
// 266 bytes is the log's JSON, the others what more compact encodings
// would give. Both baselines move bytes: a smaller format makes them that
// much faster in events/s, and the ratios of issue 7 (the projector's
// decoding and applying against the raw read, the bulk path's encoding
// against the raw publish) worse, since neither side's per-event work
// shrinks in proportion. This is why the log's format stayed JSON (see
// BENCHMARKS.md).
func BenchmarkTransportBySize(b *testing.B) {
	s, err := natsserver.Start(natsserver.Config{StoreDir: b.TempDir(), Port: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Shutdown()
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(256))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const msgs, perMsg = 600, 1100
	for _, size := range []int{266, 130, 85, 40} {
		b.Run(fmt.Sprint(size, "B-per-event"), func(b *testing.B) {
			var pub, read time.Duration
			for i := range b.N {
				name := fmt.Sprint("T", size, "_", i)
				if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name}, Storage: jetstream.FileStorage}); err != nil {
					b.Fatal(err)
				}
				data := make([]byte, size*perMsg)
				_, _ = rand.Read(data)
				start := time.Now()
				for range msgs {
					if _, err := js.PublishAsync(name, data, jetstream.WithStallWait(time.Minute)); err != nil {
						b.Fatal(err)
					}
				}
				<-js.PublishAsyncComplete()
				pub += time.Since(start)
				start = time.Now()
				cons, err := js.OrderedConsumer(ctx, name, jetstream.OrderedConsumerConfig{})
				if err != nil {
					b.Fatal(err)
				}
				it, err := cons.Messages(jetstream.PullMaxBytes(16 << 20))
				if err != nil {
					b.Fatal(err)
				}
				for range msgs {
					if _, err := it.Next(); err != nil {
						b.Fatal(err)
					}
				}
				it.Stop()
				read += time.Since(start)
				_ = js.DeleteStream(ctx, name)
			}
			events := float64(b.N * msgs * perMsg)
			b.ReportMetric(events/pub.Seconds(), "publish-events/s")
			b.ReportMetric(events/read.Seconds(), "read-events/s")
		})
	}
}
