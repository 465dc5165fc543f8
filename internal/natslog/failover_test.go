package natslog_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
)

// streamLeader is the index of the server leading the log's stream, or -1.
func streamLeader(servers []*server.Server) int {
	for i, s := range servers {
		if s.Running() && s.JetStreamIsStreamLeader("$G", natslog.DefaultStream) {
			return i
		}
	}
	return -1
}

// appended is one Append call of failoverAppender.
type appended struct {
	id   string
	seq  uint64
	took time.Duration
	at   time.Time // when it returned
	err  error
}

// failoverAppender appends entries one at a time, each with its own msg id
// and a long deadline, as the commands handler does: ErrDuplicate means
// "landed at seq", ErrConflict means "catch up and try the same id again".
type failoverAppender struct {
	l        *natslog.Log
	deadline time.Duration

	mu     sync.Mutex
	calls  []appended
	landed map[string]uint64
	cond   *sync.Cond
	failed error
}

func (a *failoverAppender) run(stop <-chan struct{}) {
	var expected uint64
	for i := 1; ; i++ {
		id := fmt.Sprintf("entry-%d", i)
		for done := false; !done; {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), a.deadline)
			began := time.Now()
			seq, err := a.l.Append(ctx, []byte(id), id, expected, nil)
			took, at := time.Since(began), time.Now()
			switch {
			case err == nil, errors.Is(err, natslog.ErrDuplicate):
				expected, done = seq, true
			case errors.Is(err, natslog.ErrConflict):
				expected, err = a.l.LastSeq(ctx)
			}
			cancel()
			a.record(appended{id: id, seq: seq, took: took, at: at, err: err}, done)
			if err != nil && !errors.Is(err, natslog.ErrDuplicate) && !errors.Is(err, natslog.ErrConflict) {
				return
			}
		}
	}
}

func (a *failoverAppender) record(c appended, done bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls = append(a.calls, c)
	if done {
		a.landed[c.id] = c.seq
	}
	if c.err != nil && !errors.Is(c.err, natslog.ErrDuplicate) && !errors.Is(c.err, natslog.ErrConflict) {
		a.failed = c.err
	}
	a.cond.Broadcast()
}

// waitLanded waits until n entries have landed or the appender failed.
func (a *failoverAppender) waitLanded(t *testing.T, n int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for len(a.landed) < n && a.failed == nil {
		a.cond.Wait()
	}
	if a.failed != nil {
		t.Fatalf("Append failed with %d entries landed: %v", len(a.landed), a.failed)
	}
}

// TestAppendRetriesAfterLeaderLoss kills the stream leader's server while
// appends run through a connection to a follower. The acknowledgement of
// the append in flight is lost with the leader (and no one answers until a
// new leader is elected); Append publishes again every ReplyWait, so the call
// returns once the new leader answers, long before its own deadline, and
// nothing is appended twice.
func TestAppendRetriesAfterLeaderLoss(t *testing.T) {
	const replyWait, deadline = 300 * time.Millisecond, 30 * time.Second
	servers := startR3Cluster(t)
	if _, err := natslog.Open(testCtx(t), connect(t, clusterURLs(servers)), natslog.Config{Replicas: 3}); err != nil {
		t.Fatalf("Open R3: %v", err)
	}
	leader := -1
	waitFor(t, 10*time.Second, "a stream leader", func() bool { leader = streamLeader(servers); return leader >= 0 })
	// Connect to the leader first, failing over to the others.
	urls := servers[leader].ClientURL()
	for i, s := range servers {
		if i != leader {
			urls += "," + s.ClientURL()
		}
	}
	nc := connect(t, urls, nats.DontRandomize(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{Replicas: 3, ReplyWait: replyWait})
	if err != nil {
		t.Fatalf("Open R3 through the leader: %v", err)
	}

	a := &failoverAppender{l: l, deadline: deadline, landed: map[string]uint64{}}
	a.cond = sync.NewCond(&a.mu)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { defer close(stopped); a.run(stop) }()
	halt := sync.OnceFunc(func() { close(stop); <-stopped })
	t.Cleanup(halt)

	a.waitLanded(t, 20)
	killed := time.Now()
	servers[leader].Shutdown()
	servers[leader].WaitForShutdown()
	t.Logf("killed the stream leader %s after %s", servers[leader].Name(), time.Since(killed).Round(time.Millisecond))
	a.waitLanded(t, 40)
	halt()

	a.mu.Lock()
	calls, landed := append([]appended(nil), a.calls...), len(a.landed)
	a.mu.Unlock()
	var longest appended
	for _, c := range calls {
		if c.took > longest.took {
			longest = c
		}
	}
	t.Logf("%d calls, %d entries landed; longest call %s (%s: seq %d, err %v); new leader %d",
		len(calls), landed, longest.took.Round(time.Millisecond), longest.id, longest.seq, longest.err, streamLeader(servers))
	if longest.took < replyWait {
		t.Errorf("no call waited for an acknowledgement (longest %s): the leader's loss was not seen", longest.took)
	}
	// Without retries the call in flight would wait out its whole deadline;
	// with them it waits for the election and at most one ReplyWait more.
	if longest.took > deadline/2 {
		t.Errorf("longest Append took %s, want well within its %s deadline", longest.took, deadline)
	}
	verifyOnce(t, l, a)
}

// verifyOnce checks that every landed id is in the log exactly once, at
// the sequence Append answered, and that the log holds nothing else.
func verifyOnce(t *testing.T, l *natslog.Log, a *failoverAppender) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	last := lastSeq(t, l)
	seen := map[string]uint64{}
	err := l.ReadUntil(testCtx(t), 1, last, func(m natslog.Msg) error {
		id := string(m.Data)
		if prev, dup := seen[id]; dup {
			t.Errorf("%s appended twice: seqs %d and %d", id, prev, m.Seq)
		}
		seen[id] = m.Seq
		if got := m.Header.Get(jetstream.MsgIDHeader); got != id {
			t.Errorf("seq %d: msg id %q, data %q", m.Seq, got, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("ReadUntil: %v", err)
	}
	for id, seq := range a.landed {
		if got := seen[id]; got != seq {
			t.Errorf("%s: answered seq %d, in the log at %d", id, seq, got)
		}
	}
	// The entry in flight when the appender stopped may be in the log too.
	if extra := len(seen) - len(a.landed); extra < 0 || extra > 1 {
		t.Errorf("log holds %d entries, %d landed", len(seen), len(a.landed))
	}
}
