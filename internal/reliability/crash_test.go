package reliability

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// fleet is the crash loop's transport: the connection to the serve process
// of the current life, nil while it is down. It shares the recorder's lock.
type fleet struct {
	rec      *recorder
	nc       *nats.Conn
	failedOn map[*nats.Conn]int // waiting workers, by the connection they failed on
}

func (f *fleet) conn(ctx context.Context, failed *nats.Conn) (*nats.Conn, bool) {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	f.failedOn[failed]++
	f.rec.cond.Broadcast()
	for (f.nc == nil || f.nc == failed) && ctx.Err() == nil {
		f.rec.cond.Wait()
	}
	f.failedOn[failed]--
	return f.nc, ctx.Err() == nil
}

// stuck is the number of workers that failed on the current connection and
// wait for the next life (call with the recorder's lock held).
func (f *fleet) stuck() int {
	if f.nc == nil {
		return 0
	}
	return f.failedOn[f.nc]
}

// timeout: the connection closes when serve dies, so only a live but
// stuck serve would use it up.
func (f *fleet) timeout() time.Duration { return 10 * time.Second }

// set installs the connection of a new life (nil: down).
func (f *fleet) set(nc *nats.Conn) {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	f.nc = nc
	f.rec.cond.Broadcast()
}

// crashRun is one crash loop.
type crashRun struct {
	t           *testing.T
	ctx         context.Context
	bin, dir    string
	logs        string
	rng         *rand.Rand
	rec         *recorder
	fl          *fleet
	workers     int
	kills       int // SIGKILLs so far
	startKills  int // of which during startup, before serving
	maxPerLife  int
	rootToken   string
	stop        chan struct{}
	wg          sync.WaitGroup
	lifeStarted time.Time
}

// TestCrashLoop SIGKILLs `permledger serve` at random moments while workers
// drive concurrent commands at it, restarts it each time (alternating
// --sync default and always), and then checks that every acknowledged
// command is in the log exactly once, that refused commands and no-ops are
// not, that the read model equals a replay of the log, and that no password
// or token reached serve's debug logs.
func TestCrashLoop(t *testing.T) {
	kills, maxPerLife, workers := 5, 20, 3
	if long() {
		kills, maxPerLife, workers = 30, 80, 4
	}
	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("PERMLEDGER_CRASH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (PERMLEDGER_CRASH_SEED reproduces the kill schedule)", seed)
	began := time.Now()
	r := &crashRun{t: t, ctx: testCtx(t, 8*time.Minute), bin: serveBinary(t), dir: t.TempDir(), logs: t.TempDir(),
		rng: rand.New(rand.NewPCG(seed, 8)), rec: newRecorder(), workers: workers, maxPerLife: maxPerLife, stop: make(chan struct{})}
	r.fl = &fleet{rec: r.rec, failedOn: map[*nats.Conn]int{}}
	context.AfterFunc(r.ctx, func() { r.fl.set(nil) }) // wake every waiter
	rootUserCreate(r.ctx, t, r.bin, r.dir)
	life := 0
	for ; r.kills-r.startKills < kills; life++ {
		r.life(life, false) // a kill during startup comes on top
	}
	r.life(life, true)
	s := r.verify()
	t.Logf("CRASH LOOP: %d SIGKILLs survived (%d during startup, %d under load, 1 after the final drain), %d workers, %s, in %s",
		r.kills, r.startKills, r.kills-r.startKills-1, workers, s, time.Since(began).Round(time.Millisecond))
}

// life runs one serve process and ends it with SIGKILL: at once (a crash
// during recovery), after a random number of acknowledged commands, or,
// for the last life, after the workers have drained.
func (r *crashRun) life(n int, last bool) {
	t := r.t
	sync := []string{"default", "always"}[n%2]
	p, err := startServe(r.bin, r.dir, r.logs, n, sync)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 && !last && r.rng.IntN(6) == 0 {
		r.killed(p, true)
		return
	}
	ready, cancel := context.WithTimeout(r.ctx, time.Minute)
	url, err := p.waitReady(ready)
	cancel()
	if err != nil {
		p.kill()
		t.Fatalf("life %d (--sync %s): %v", n, sync, err)
	}
	nc, err := nats.Connect(url, nats.NoReconnect(), nats.Name(fmt.Sprintf("crash-life-%d", n)))
	if err != nil {
		p.kill()
		t.Fatalf("life %d: connect %s: %v", n, url, err)
	}
	r.fl.set(nc)
	if n == 0 {
		r.setup()
	}
	if last {
		r.drain()
	} else {
		r.waitForKillMoment(r.rec.ackCount() + r.rng.IntN(r.maxPerLife+1))
	}
	r.fl.set(nil)
	r.killed(p, false)
	nc.Close()
}

func (r *crashRun) killed(p *serveProc, duringStartup bool) {
	if err := p.kill(); err != nil {
		r.t.Fatalf("SIGKILL: %v", err)
	}
	r.kills++
	if duringStartup {
		r.startKills++
	}
}

// setup logs root in, creates what the workload refers to, starts workers.
func (r *crashRun) setup() {
	r.rootToken = loginRoot(r.ctx, r.t, r.fl, r.rec)
	if o := execute(r.ctx, r.fl, r.rec, "", command{"setup-bad-login", "login",
		map[string]string{"user": rootUser, "password": wrongPW}}); o.code != "unauthenticated" {
		r.t.Fatalf("login with a wrong password: %+v", o)
	}
	for _, c := range setupCommands() {
		if o := execute(r.ctx, r.fl, r.rec, r.rootToken, c); !o.ok {
			r.t.Fatalf("setup %s: %+v", c.name, o)
		} else {
			r.rec.record(o)
		}
	}
	for i := range r.workers {
		w := &worker{id: i, rng: rand.New(rand.NewPCG(r.rng.Uint64(), uint64(i))), token: r.rootToken}
		r.wg.Go(func() { w.run(r.ctx, r.fl, r.rec, r.stop) })
	}
}

// waitForKillMoment waits until target commands are acknowledged, or every
// worker waits for the next life.
func (r *crashRun) waitForKillMoment(target int) {
	r.rec.mu.Lock()
	defer r.rec.mu.Unlock()
	for r.rec.acked < target && r.fl.stuck() < r.workers && r.ctx.Err() == nil {
		r.rec.cond.Wait()
	}
	if r.ctx.Err() != nil {
		r.t.Fatalf("waiting for %d acknowledgements (have %d): %v", target, r.rec.acked, r.ctx.Err())
	}
}

// drain lets the workers run a last batch on a live server, then stops them
// and waits until every command in flight is answered.
func (r *crashRun) drain() {
	r.waitForKillMoment(r.rec.ackCount() + r.maxPerLife)
	close(r.stop)
	r.wg.Wait()
}

// verify opens the data dir in process (the log recovered by JetStream, the
// read model by its projector) and checks the promises.
func (r *crashRun) verify() tally {
	t := r.t
	l, err := ledger.Open(r.ctx, ledger.Config{DataDir: r.dir, Embedded: natsserver.Config{Port: -1}, BcryptCost: 4})
	if err != nil {
		t.Fatalf("reopening the data dir after the last SIGKILL: %v", err)
	}
	defer l.Close()
	idx, n := logIndex(r.ctx, t, l.Log)
	s := verifyLog(t, idx, n, r.rec, openNoops(r.ctx, t, l))
	verifyReplay(r.ctx, t, l)
	r.verifyLogs()
	return s
}

// verifyLogs searches serve's stdout and debug stderr of every life for
// the passwords and tokens the run used.
func (r *crashRun) verifyLogs() {
	secrets := map[string]string{rootPassword: "root password", sharedPW: "shared user's password", wrongPW: "wrong password",
		userPWPrefix: "a user's password", r.rootToken: "root token"}
	for _, tok := range r.rec.tokens {
		secrets[tok] = "token"
	}
	size := grepFiles(r.t, r.logs, secrets)
	b, _ := os.ReadFile(r.logs + "/life-000.stderr")
	if !strings.Contains(string(b), `"msg":"serving"`) || !strings.Contains(string(b), `"command failed"`) {
		r.t.Errorf("life 0's stderr has no serving or command failed line: the search would prove nothing")
	}
	r.t.Logf("searched %d bytes of serve logs for %d secrets", size, len(secrets))
}
