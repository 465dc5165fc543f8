package natslog_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

// TestReadNeverSkipsAMissingEntry reads a stream that lacks an entry (removed
// before natslog opened it: it denies deletes): Read delivers what comes
// before it and then returns ErrMissing, never the entries after it.
func TestReadNeverSkipsAMissingEntry(t *testing.T) {
	ctx := testCtx(t)
	nc := connect(t, startServer(t, natsserver.Config{}).ClientURL())
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: natslog.DefaultStream,
		Subjects: []string{natslog.DefaultSubject}, Storage: jetstream.FileStorage})
	if err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	for i := 1; i <= 5; i++ {
		if _, err := js.Publish(ctx, natslog.DefaultSubject, fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
	if err := stream.DeleteMsg(ctx, 3); err != nil {
		t.Fatalf("DeleteMsg: %v", err)
	}
	l, err := natslog.Open(ctx, nc, natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	for _, c := range []struct {
		from, to uint64
		want     string
		missing  bool
	}{
		{1, 5, "[1 2]", true},
		{3, 5, "[]", true},
		{4, 5, "[4 5]", false},
	} {
		var seen []uint64
		err := l.ReadUntil(ctx, c.from, c.to, func(m natslog.Msg) error {
			seen = append(seen, m.Seq)
			return nil
		})
		if got := fmt.Sprint(seen); got != c.want {
			t.Errorf("ReadUntil(%d, %d) delivered %s, want %s", c.from, c.to, got, c.want)
		}
		if got := errors.Is(err, natslog.ErrMissing); got != c.missing {
			t.Errorf("ReadUntil(%d, %d) = %v, want ErrMissing: %v", c.from, c.to, err, c.missing)
		}
		t.Logf("ReadUntil(%d, %d) = %v", c.from, c.to, err)
	}
}

// TestReadGoesOnAfterItsConsumerIsDeleted deletes the consumer a Read
// delivers from: Read starts a new one from the next sequence.
func TestReadGoesOnAfterItsConsumerIsDeleted(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 3)
	r := startReader(t, l, 1)
	r.expect(t, 1, 2, 3)
	ctx := testCtx(t)
	names := l.Stream().ConsumerNames(ctx)
	var deleted []string
	for name := range names.Name() {
		if err := l.Stream().DeleteConsumer(ctx, name); err != nil {
			t.Fatalf("DeleteConsumer %s: %v", name, err)
		}
		deleted = append(deleted, name)
	}
	if err := names.Err(); err != nil {
		t.Fatalf("ConsumerNames: %v", err)
	}
	if got, want := len(deleted), 1; got != want {
		t.Fatalf("deleted %d consumers (%v), want %d", got, deleted, want)
	}
	appendN(t, l, 2)
	r.expect(t, 4, 5)
	select {
	case m := <-r.msgs:
		t.Errorf("unexpected seq %d after 5", m.Seq)
	default:
	}
}

// TestReadReplacesASilentConsumer pauses the consumer a Read delivers from,
// which then delivers nothing, heartbeats on and says nothing, as one whose
// answers are lost does: once Read has waited ReplyWait for entries the log
// holds, it reads them through a new consumer.
func TestReadReplacesASilentConsumer(t *testing.T) {
	const replyWait = 300 * time.Millisecond
	l := openLog(t, natslog.Config{ReplyWait: replyWait})
	appendN(t, l, 3)
	r := startReader(t, l, 1)
	r.expect(t, 1, 2, 3)
	ctx := testCtx(t)
	names := l.Stream().ConsumerNames(ctx)
	paused := 0
	for name := range names.Name() {
		if _, err := l.Stream().PauseConsumer(ctx, name, time.Now().Add(time.Hour)); err != nil {
			t.Fatalf("PauseConsumer %s: %v", name, err)
		}
		paused++
	}
	if paused != 1 || names.Err() != nil {
		t.Fatalf("paused %d consumers (%v), want 1", paused, names.Err())
	}
	began := time.Now()
	appendN(t, l, 2)
	r.expect(t, 4, 5)
	took := time.Since(began)
	t.Logf("entries appended behind a silent consumer delivered after %s", took.Round(time.Millisecond))
	if took < replyWait || took > 10*replyWait {
		t.Errorf("delivered after %s, want between ReplyWait %s and a few times it", took, replyWait)
	}
}
