package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

// streamName is the log's stream; JetStream's default account holds it.
const (
	streamName = natslog.DefaultStream
	account    = "$G"
)

// node is one cluster member, enough to start it again after a shutdown.
type node struct {
	name, dir             string
	clientPort, routePort int
	clusterName           string
	srv                   *server.Server
}

// cluster is three JetStream servers in this process, routed on loopback.
type cluster struct {
	nodes []*node
	mu    sync.Mutex
}

func startCluster(t *testing.T) *cluster {
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	servers, err := natsserver.StartCluster(dirs, false)
	if err != nil {
		t.Fatalf("StartCluster: %v", err)
	}
	c := &cluster{}
	for i, s := range servers {
		c.nodes = append(c.nodes, &node{name: s.Name(), dir: dirs[i], clientPort: s.Addr().(*net.TCPAddr).Port,
			routePort: s.ClusterAddr().Port, clusterName: s.ClusterName(), srv: s})
	}
	t.Cleanup(func() {
		for _, n := range c.nodes {
			c.kill(n)
		}
	})
	return c
}

// urls lists every member's client URL, for clients that fail over.
func (c *cluster) urls() string {
	var out []string
	for _, n := range c.nodes {
		out = append(out, "nats://127.0.0.1:"+strconv.Itoa(n.clientPort))
	}
	return strings.Join(out, ",")
}

// kill shuts a member down (in process, this is as hard as it gets).
func (c *cluster) kill(n *node) {
	c.mu.Lock()
	s := n.srv
	n.srv = nil
	c.mu.Unlock()
	if s != nil {
		s.Shutdown()
		s.WaitForShutdown()
	}
}

// restart starts a member again on its ports and store.
func (c *cluster) restart(t *testing.T, n *node) {
	var routes []*url.URL
	for _, m := range c.nodes {
		routes = append(routes, &url.URL{Scheme: "nats-route", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(m.routePort))})
	}
	s, err := server.NewServer(&server.Options{ServerName: n.name, Host: "127.0.0.1", Port: n.clientPort,
		JetStream: true, StoreDir: n.dir, NoLog: true, NoSigs: true, Routes: routes,
		Cluster: server.ClusterOpts{Name: n.clusterName, Host: "127.0.0.1", Port: n.routePort}})
	if err != nil {
		t.Fatalf("restarting %s: %v", n.name, err)
	}
	s.Start()
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatalf("%s not ready after a restart", n.name)
	}
	c.mu.Lock()
	n.srv = s
	c.mu.Unlock()
}

// leader is the member leading the log's stream, if one does.
func (c *cluster) leader() *node {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.nodes {
		if n.srv != nil && n.srv.JetStreamIsStreamLeader(account, streamName) {
			return n
		}
	}
	return nil
}

// localLastSeq is the last sequence a member holds in its own store.
func localLastSeq(s *server.Server) uint64 {
	info, err := s.Jsz(&server.JSzOptions{Accounts: true, Streams: true})
	if err != nil {
		return 0
	}
	for _, a := range info.AccountDetails {
		for _, st := range a.Streams {
			if st.Name == streamName {
				return st.State.LastSeq
			}
		}
	}
	return 0
}

// pacedConn is a worker's own connection, failing over inside the cluster;
// after a failed attempt the next one waits a moment (retry pacing, as the
// log's own reader backs off).
type pacedConn struct{ nc *nats.Conn }

func (p pacedConn) conn(ctx context.Context, failed *nats.Conn) (*nats.Conn, bool) {
	if failed != nil {
		t := time.NewTimer(50 * time.Millisecond)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
	return p.nc, ctx.Err() == nil
}

// timeout: an attempt whose reply was lost in a failover is retried soon.
func (p pacedConn) timeout() time.Duration { return 3 * time.Second }

func connectCluster(t *testing.T, urls, name string) *nats.Conn {
	nc, err := nats.Connect(urls, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatalf("connect %s: %v", urls, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// openInstance opens one permledger instance (commands, projector, NATS
// API) against the cluster, the stream with 3 replicas.
func openInstance(ctx context.Context, t *testing.T, urls string) *ledger.Ledger {
	l, err := ledger.Open(ctx, ledger.Config{DataDir: t.TempDir(), NATSURL: urls, BcryptCost: 4, ServeAPI: true,
		Stream: natslog.Config{Replicas: 3}})
	if err != nil {
		t.Fatalf("opening a ledger on the cluster: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// checker asks checks at a steady rate (its load, not a wait for
// anything) and counts the answers.
type checker struct {
	mu       sync.Mutex
	ok, fail int
}

func (c *checker) run(ctx context.Context, cl *client.Client, stop <-chan struct{}) {
	req := api.CheckRequest{User: sharedUser, Permission: "app.read", Contexts: []string{"team:x0"}}
	rate := time.NewTicker(20 * time.Millisecond)
	defer rate.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-rate.C:
		}
		qctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := cl.Check(qctx, req)
		cancel()
		c.mu.Lock()
		if err == nil {
			c.ok++
		} else {
			c.fail++
		}
		c.mu.Unlock()
	}
}

func (c *checker) answered() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ok
}

// clusterRun is the state of TestClusterLosesAServer.
type clusterRun struct {
	t      *testing.T
	ctx    context.Context
	c      *cluster
	a, b   *ledger.Ledger
	rec    *recorder
	checks checker
	stop   chan struct{}
	wg     sync.WaitGroup
	token  string
	gaps   []time.Duration // longest stretch without an acknowledgement after each loss
}

// TestClusterLosesAServer runs two permledger instances against a 3-node
// JetStream cluster (the log with 3 replicas), kills the stream leader's
// server under command load, shows that commands and checks go on, restarts
// it and waits until it has caught up, then kills another member so that
// the restarted one must be part of the quorum, and finally checks that no
// acknowledged command was lost or doubled and that both read models equal
// a replay of the log.
func TestClusterLosesAServer(t *testing.T) {
	began := time.Now()
	perPhase, rounds := 30, 1
	if long() {
		perPhase, rounds = 100, 4
	}
	r := &clusterRun{t: t, ctx: testCtx(t, 5*time.Minute), c: startCluster(t), rec: newRecorder(), stop: make(chan struct{})}
	r.a, r.b = openInstance(r.ctx, t, r.c.urls()), openInstance(r.ctx, t, r.c.urls())
	r.setup()
	r.waitAcks(perPhase, "before any loss")
	var back *node
	for range rounds {
		back = r.lose(perPhase, back)
		r.rejoin(back)
	}
	r.lose(perPhase, back)
	close(r.stop)
	r.wg.Wait()
	s := r.verify()
	t.Logf("STALL: longest stretch without an acknowledgement after each server loss: %v", r.gaps)
	t.Logf("CLUSTER: 3 nodes, R3 stream, 2 instances, %d servers killed under load and %d restarted and caught up; %s; %d checks answered; in %s",
		rounds+1, rounds, s, r.checks.answered(), time.Since(began).Round(time.Millisecond))
}

func (r *clusterRun) setup() {
	if _, err := ledger.RootUserCreate(r.ctx, r.a, rootUser, rootPassword); err != nil {
		r.t.Fatalf("root-user-create: %v", err)
	}
	tr := pacedConn{connectCluster(r.t, r.c.urls(), "setup")}
	r.token = loginRoot(r.ctx, r.t, tr, r.rec)
	for _, c := range setupCommands() {
		if o := execute(r.ctx, tr, r.rec, r.token, c); !o.ok {
			r.t.Fatalf("setup %s: %+v", c.name, o)
		} else {
			r.rec.record(o)
		}
	}
	for i := range 3 {
		w := &worker{id: i, rng: rand.New(rand.NewPCG(uint64(i), 3)), token: r.token}
		tr := pacedConn{connectCluster(r.t, r.c.urls(), fmt.Sprintf("worker-%d", i))}
		r.wg.Go(func() { w.run(r.ctx, tr, r.rec, r.stop) })
	}
	cl := client.New(connectCluster(r.t, r.c.urls(), "checker"))
	r.wg.Go(func() { r.checks.run(r.ctx, cl, r.stop) })
}

// waitAcks waits until n more commands are acknowledged.
func (r *clusterRun) waitAcks(n int, phase string) {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	target := r.rec.acked + n
	stop := context.AfterFunc(r.ctx, func() { r.rec.mu.Lock(); r.rec.cond.Broadcast(); r.rec.mu.Unlock() })
	defer stop()
	for r.rec.acked < target && r.ctx.Err() == nil {
		r.rec.cond.Wait()
	}
	if r.ctx.Err() != nil {
		r.t.Fatalf("%s: %d acknowledgements, want %d: %v", phase, r.rec.acked, target, r.ctx.Err())
	}
}

// lose kills the stream leader's server (or, if that is spare, the member
// just restarted, some other one, so that the restarted member must be part
// of the quorum) and shows that commands and checks go on.
func (r *clusterRun) lose(n int, spare *node) *node {
	victim := r.c.leader()
	if victim == nil || victim == spare {
		for _, m := range r.c.nodes {
			if m != spare && m.srv != nil {
				victim = m
				break
			}
		}
	}
	checksBefore, lost, wasLeader := r.checks.answered(), time.Now(), victim == r.c.leader()
	r.c.kill(victim)
	r.waitAcks(1, "after killing "+victim.name)
	firstAck, checksMeanwhile := time.Since(lost), r.checks.answered()-checksBefore
	r.waitAcks(n-1, "after killing "+victim.name)
	if checksMeanwhile == 0 && firstAck > 3*time.Second {
		r.t.Errorf("no check was answered in the %s before the first command after losing %s", firstAck, victim.name)
	}
	// The append in flight when the leader went lost its acknowledgement;
	// it used to wait for it until the 10s command deadline, every other
	// command of that instance queued behind it. natslog now asks again
	// every ReplyWait (1s), so the first acknowledgement comes within a few
	// seconds. The longest stretch is logged, not asserted: a projector
	// whose consumer was on the lost server can still stall up to 10s
	// (docs/reliability.md).
	if firstAck > 5*time.Second {
		r.t.Errorf("the first command after losing %s was acknowledged after %s, want < 5s", victim.name, firstAck)
	}
	gap := r.rec.longestGap(lost)
	r.gaps = append(r.gaps, gap.Round(time.Millisecond))
	r.t.Logf("killed %s (stream leader: %v): first command acknowledged after %s, %d checks answered meanwhile; "+
		"%d commands and %d checks in %s; longest stretch without an acknowledgement %s", victim.name, wasLeader,
		firstAck.Round(time.Millisecond), checksMeanwhile, n, r.checks.answered()-checksBefore,
		time.Since(lost).Round(time.Millisecond), gap.Round(time.Millisecond))
	return victim
}

// rejoin restarts a member and waits until its store has the whole log.
func (r *clusterRun) rejoin(n *node) {
	start := time.Now()
	r.c.restart(r.t, n)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		last, err := r.a.Log.LastSeq(r.ctx)
		if err == nil && n.srv.JetStreamIsStreamCurrent(account, streamName) && localLastSeq(n.srv) >= last {
			r.t.Logf("%s restarted and caught up to seq %d in %s", n.name, last, time.Since(start).Round(time.Millisecond))
			return
		}
		select {
		case <-r.ctx.Done():
			r.t.Fatalf("%s did not catch up: local seq %d: %v", n.name, localLastSeq(n.srv), r.ctx.Err())
		case <-tick.C:
		}
	}
}

func (r *clusterRun) verify() tally {
	r.diagnoseRead()
	idx, entries := logIndex(r.ctx, r.t, r.a.Log)
	s := verifyLog(r.t, idx, entries, r.rec, openNoops(r.ctx, r.t, r.a))
	verifyReplay(r.ctx, r.t, r.a)
	verifyReplay(r.ctx, r.t, r.b)
	da, _, _ := r.a.Store.Digest()
	db, _, _ := r.b.Store.Digest()
	if da != db {
		r.t.Error("the two instances' read models differ")
	}
	return s
}

// diagnoseRead reads the whole log with a deadline through a fresh
// connection and through instance a's, reporting which hangs.
func (r *clusterRun) diagnoseRead() {
	last, err := r.a.Log.LastSeq(r.ctx)
	r.t.Logf("diag: last %d (%v), a applied %d, b applied %d", last, err, r.a.Store.Applied(), r.b.Store.Applied())
	for _, c := range []struct {
		name string
		nc   *nats.Conn
	}{{"instance a's connection", r.a.Conn}, {"a fresh connection", connectCluster(r.t, r.c.urls(), "diag")}} {
		ctx, cancel := context.WithTimeout(r.ctx, 20*time.Second)
		log, err := natslog.Open(ctx, c.nc, natslog.Config{Replicas: 3})
		n := 0
		if err == nil {
			err = log.ReadUntil(ctx, 1, last, func(natslog.Msg) error { n++; return nil })
		}
		cancel()
		r.t.Logf("diag: reading through %s (connected to %s): %d entries, %v", c.name, c.nc.ConnectedUrl(), n, err)
	}
}
