package ledger

import (
	"context"
	"fmt"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/client"
)

// BenchmarkGrant measures sequential grant commands over NATS on an
// embedded ledger, each appending one event, against a sync JetStream
// publish of the same size on the same server (sub-benchmark "baseline";
// "baseline-consumed" is the same with an ordered consumer reading the
// stream, as the projector reads the ledger's), so that the ratio is read
// from one run:
//
//	go test -run '^$' -bench Grant -benchtime 3000x ./internal/ledger/
//
// "log-append" is the ledger's append alone (natslog, expected sequence and
// message id) on its own stream while its projector reads it.
// "grant-with-id" sends a client-chosen command id, which adds the read of
// the shared no-op records before the append (commands/noop_records.go).
// The issue 7 figure is scripts/bench's; this one is for profiles
// (-cpuprofile) and for review.
func BenchmarkGrant(b *testing.B) {
	l := openTest(b, b.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	ctx := context.Background()
	if _, err := RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		b.Fatal(err)
	}
	login, err := c.Command(ctx, "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		b.Fatal(err)
	}
	const users = 500 // grants spread over users, as on a real ledger
	for i := range users {
		if _, err := c.Command(ctx, "user-create", "", login.Token, map[string]string{"user": fmt.Sprintf("u%d", i), "password": "pw"}); err != nil {
			b.Fatal(err)
		}
	}
	grant := func(i int, id string) int {
		rep, err := c.Command(ctx, "grant", id, login.Token, map[string]string{"user": fmt.Sprintf("u%d", i%users), "permission": "app.read", "context": fmt.Sprintf("app:a%d", i)})
		if err != nil || rep.Events != 1 {
			b.Fatalf("grant: %+v %v", rep, err)
		}
		return int(rep.Seq)
	}
	n := 0
	b.Run("grant", func(b *testing.B) {
		for b.Loop() {
			n++
			grant(n, "")
		}
	})
	b.Run("grant-with-id", func(b *testing.B) {
		for b.Loop() {
			n++
			grant(n, fmt.Sprintf("bench-%d", n))
		}
	})
	seq, _ := l.Log.LastSeq(ctx)
	last, err := l.Log.Get(ctx, seq)
	if err != nil {
		b.Fatal(err)
	}
	js, _ := jetstream.New(l.Conn)
	if _, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: "RAW", Subjects: []string{"raw"}, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	// The ledger's own append path on its own stream (the projector
	// applying each entry), with entries the projector skips as malformed.
	b.Run("log-append", func(b *testing.B) {
		seq, _ := l.Log.LastSeq(ctx)
		for b.Loop() {
			got, err := l.Log.Append(ctx, []byte(`{"x":1}`), fmt.Sprintf("raw-%d", seq), seq, nil)
			if err != nil {
				b.Fatal(err)
			}
			seq = got
		}
	})
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := js.Publish(ctx, "raw", last.Data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-consumed", func(b *testing.B) {
		cons, err := js.OrderedConsumer(ctx, "RAW", jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy})
		if err != nil {
			b.Fatal(err)
		}
		cc, err := cons.Consume(func(m jetstream.Msg) {})
		if err != nil {
			b.Fatal(err)
		}
		defer cc.Stop()
		for b.Loop() {
			if _, err := js.Publish(ctx, "raw", last.Data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
