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

	"github.com/permledger/permledger/internal/natslog"
)

// readerStallBound is what TestReadAfterLeaderLoss allows between an entry's
// acknowledgement and its delivery to a reader. The client library's
// ordered consumer could take 10 s (its fixed request timeout) and more.
const readerStallBound = 6 * time.Second

// deliveries records what a Read delivered and when; it fails the test on
// any sequence that is not the one after the last.
type deliveries struct {
	mu   sync.Mutex
	cond *sync.Cond
	seqs []uint64
	data map[uint64]string
	at   map[uint64]time.Time
	bad  []string
}

func newDeliveries() *deliveries {
	d := &deliveries{data: map[uint64]string{}, at: map[uint64]time.Time{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

func (d *deliveries) add(m natslog.Msg) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if want := uint64(len(d.seqs)) + 1; m.Seq != want {
		d.bad = append(d.bad, fmt.Sprintf("delivered seq %d after %d", m.Seq, want-1))
	}
	d.seqs = append(d.seqs, m.Seq)
	d.data[m.Seq] = string(m.Data)
	d.at[m.Seq] = time.Now()
	d.cond.Broadcast()
	return nil
}

// waitFor reports whether seq was delivered within the given time.
func (d *deliveries) waitFor(seq uint64, within time.Duration) bool {
	timer := time.AfterFunc(within, func() { d.mu.Lock(); d.cond.Broadcast(); d.mu.Unlock() })
	defer timer.Stop()
	deadline := time.Now().Add(within)
	d.mu.Lock()
	defer d.mu.Unlock()
	for uint64(len(d.seqs)) < seq && time.Now().Before(deadline) {
		d.cond.Wait()
	}
	return uint64(len(d.seqs)) >= seq
}

// consumerPlaces names the server of each consumer on the log's stream.
func consumerPlaces(ctx context.Context, l *natslog.Log) string {
	var places []string
	lister := l.Stream().ListConsumers(ctx)
	for info := range lister.Info() {
		if info.Cluster != nil {
			places = append(places, info.Cluster.Leader)
		}
	}
	return fmt.Sprint(places)
}

// TestReadAfterLeaderLoss kills the server that leads the stream and holds
// the connection of an instance-like Log (its reader and its appends), while
// the reader reads and appends go on. The reader must deliver every appended
// sequence once and in order, and every entry soon after its Append
// returned: the client library's ordered consumer used to stall about 10 s
// when the reply that recreates its consumer was lost with the server.
func TestReadAfterLeaderLoss(t *testing.T) {
	servers := startR3Cluster(t)
	if _, err := natslog.Open(testCtx(t), connect(t, clusterURLs(servers)), natslog.Config{Replicas: 3}); err != nil {
		t.Fatalf("Open R3: %v", err)
	}
	leader := leadStreamFromMeta(t, servers)
	urls := servers[leader].ClientURL()
	for i, s := range servers {
		if i != leader {
			urls += "," + s.ClientURL()
		}
	}
	nc := connect(t, urls, nats.DontRandomize(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{Replicas: 3})
	if err != nil {
		t.Fatalf("Open R3 through the leader: %v", err)
	}

	d := newDeliveries()
	rctx, rcancel := context.WithCancel(context.Background())
	readDone := make(chan error, 1)
	go func() { readDone <- l.Read(rctx, 0, d.add) }()
	a := &failoverAppender{l: l, deadline: 30 * time.Second, landed: map[string]uint64{}}
	a.cond = sync.NewCond(&a.mu)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() { defer close(stopped); a.run(stop) }()
	halt := sync.OnceFunc(func() { close(stop); <-stopped })
	t.Cleanup(func() { halt(); rcancel(); <-readDone })

	a.waitLanded(t, 20)
	t.Logf("reader's consumer on %s", consumerPlaces(testCtx(t), l))
	killed := time.Now()
	kill(servers[leader])
	a.mu.Lock()
	before := len(a.landed)
	a.mu.Unlock()
	t.Logf("killed the stream leader %s (%d entries landed) in %s", servers[leader].Name(), before,
		time.Since(killed).Round(time.Millisecond))
	a.waitLanded(t, before+20)
	time.Sleep(time.Until(killed.Add(3 * time.Second)))
	placesAfter := consumerPlaces(testCtx(t), l)
	halt()
	var landed []appended // in the order they landed
	a.mu.Lock()
	for _, c := range a.calls {
		if c.err == nil || errors.Is(c.err, natslog.ErrDuplicate) {
			landed = append(landed, c)
		}
	}
	a.mu.Unlock()
	last := landed[len(landed)-1].seq
	if !d.waitFor(last, 30*time.Second) {
		t.Fatalf("reader did not deliver seq %d within 30 s", last)
	}
	rcancel()
	if err := <-readDone; !errors.Is(err, context.Canceled) {
		t.Errorf("Read = %v, want context.Canceled", err)
	}
	readDone <- nil // for cleanup

	d.mu.Lock()
	defer d.mu.Unlock()
	for _, bad := range d.bad {
		t.Error(bad)
	}
	if got, want := uint64(len(d.seqs)), last; got != want {
		t.Errorf("delivered %d entries, want %d", got, want)
	}
	var worst appended
	var worstLag time.Duration
	for _, e := range landed {
		if got := d.data[e.seq]; got != e.id {
			t.Errorf("seq %d: delivered %q, want %q", e.seq, got, e.id)
		}
		if lag := d.at[e.seq].Sub(e.at); lag > worstLag {
			worst, worstLag = e, lag
		}
	}
	var longestGap time.Duration
	for seq := uint64(2); seq <= last; seq++ {
		longestGap = max(longestGap, d.at[seq].Sub(d.at[seq-1]))
	}
	t.Logf("%d entries (%d after the loss) delivered once and in order; longest wait from an Append's return to "+
		"the reader's delivery %s (seq %d, landed %s after the kill); longest stretch between deliveries %s; "+
		"reader's consumer now on %s",
		len(landed), len(landed)-before, worstLag.Round(time.Millisecond), worst.seq,
		worst.at.Sub(killed).Round(time.Millisecond), longestGap.Round(time.Millisecond), placesAfter)
	if worstLag > readerStallBound {
		t.Errorf("an entry was delivered %s after its Append returned, want at most %s", worstLag, readerStallBound)
	}
}

// leadStreamFromMeta moves the stream's leadership to the server leading the
// JetStream meta group and returns its index: losing it loses the answers
// to stream and consumer requests alike.
func leadStreamFromMeta(t *testing.T, servers []*server.Server) int {
	t.Helper()
	meta := -1
	waitFor(t, 10*time.Second, "a meta leader", func() bool {
		for i, s := range servers {
			if s.JetStreamIsLeader() {
				meta = i
			}
		}
		return meta >= 0
	})
	nc := connect(t, servers[meta].ClientURL())
	req := fmt.Sprintf(`{"placement":{"preferred":%q}}`, servers[meta].Name())
	waitFor(t, 20*time.Second, "the meta leader to lead the stream", func() bool {
		leader := streamLeader(servers)
		if leader == meta {
			return true
		}
		if leader >= 0 {
			_, _ = nc.Request("$JS.API.STREAM.LEADER.STEPDOWN."+natslog.DefaultStream, []byte(req), time.Second)
		}
		return false
	})
	return meta
}

// kill shuts a server down and waits for it.
func kill(s *server.Server) {
	s.Shutdown()
	s.WaitForShutdown()
}
