package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/permledger/permledger/queries"
	"github.com/permledger/permledger/readmodel"
)

// inprocResult is what the in-process scenario measured on one data set.
type inprocResult struct {
	gets, checks latencies
}

// inProcessScenario measures, in this process with the servers stopped,
// the queries API's Check against one Pebble Get on both data sets, the
// rounds of the two sets alternating so that the noise of the shared
// machine falls on both alike; then fills the in-process and the scale rows.
func (r *runner) inProcessScenario() error {
	stop := r.profile(nil, "inproc")
	defer stop()
	sets := []*dataset{r.small, r.large}
	res := make([]inprocResult, len(sets))
	for _, d := range sets {
		if err := settlePebble(r.readModelDir(d), r.logf); err != nil {
			return err
		}
	}
	for round := range max(r.cfg.rounds, 2) {
		for i, d := range sets {
			ip, err := inProcessRound(d, r.readModelDir(d), r.cfg.inprocOps, uint64(round))
			if err != nil {
				return err
			}
			res[i].gets, res[i].checks = append(res[i].gets, ip.gets...), append(res[i].checks, ip.checks...)
		}
	}
	r.inProcessRow(r.large, res[1])
	r.scaleRow(res[0].checks.p50(), res[1].checks.p50())
	return nil
}

func (r *runner) readModelDir(d *dataset) string {
	name := "large"
	if d == r.small {
		name = "small"
	}
	return filepath.Join(r.dir(name), "readmodel")
}

// inProcessRound times ops Pebble Gets of user documents on the read
// model's database opened with the read model's own Pebble options, then
// ops checks through the queries API on the same users.
func inProcessRound(d *dataset, dir string, ops int, seed uint64) (inprocResult, error) {
	cases := make([]checkCase, ops)
	rng := rand.New(rand.NewPCG(seed, 5))
	for i := range cases {
		cases[i] = d.checkCase(rng.IntN(d.users), rng.IntN(5))
	}
	g, err := timeGets(dir, cases)
	if err != nil {
		return inprocResult{}, err
	}
	k, err := timeChecks(dir, cases)
	return inprocResult{gets: g, checks: k}, err
}

// settlePebble opens the database and waits until Pebble has run no
// compaction for two seconds (it leaves a small debt below its own
// thresholds alone, so waiting for no debt may never end): a compaction
// during a timed pass costs CPU and replaces the tables whose blocks the
// warm-up cached. The server stopped with its compactions possibly
// unfinished; a server that runs on does them too.
func settlePebble(dir string, logf func(string, ...any)) error {
	db, err := readmodel.OpenPebble(dir, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer db.Close()
	start, idle := time.Now(), time.Now()
	for time.Since(start) < 2*time.Minute && time.Since(idle) < 2*time.Second {
		if db.Metrics().Compact.NumInProgress > 0 {
			idle = time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	logf("in process: compactions settled after %s (read amplification %d)", time.Since(start).Round(time.Millisecond), db.Metrics().ReadAmp())
	return nil
}

// warmPebble reads every user document once, as the read model's
// View.Users does before a timed pass of checks: both sides are timed with
// the block cache warm, the steady state of a server that has answered
// checks about every user.
func warmPebble(db *pebble.DB) error {
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte("u/"), UpperBound: []byte("u0")})
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		if _, err := it.ValueAndErr(); err != nil {
			it.Close()
			return err
		}
	}
	return it.Close()
}

// warmupDiv: a fifth of the operations run untimed before each timed pass.
const warmupDiv = 5

func timeGets(dir string, cases []checkCase) (latencies, error) {
	db, err := readmodel.OpenPebble(dir, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	get := func(c checkCase) error {
		v, closer, err := db.Get(append([]byte("u/"), c.user...))
		if err != nil {
			return fmt.Errorf("pebble get %s: %w", c.user, err)
		}
		if len(v) == 0 {
			return errors.New("empty user document")
		}
		return closer.Close()
	}
	if err := warmPebble(db); err != nil {
		return nil, err
	}
	for _, c := range cases[:len(cases)/warmupDiv] {
		if err := get(c); err != nil {
			return nil, err
		}
	}
	out := make(latencies, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		err := get(c)
		out = append(out, time.Since(start))
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func timeChecks(dir string, cases []checkCase) (latencies, error) {
	st, err := readmodel.Open(dir, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	qs := queries.New(st)
	ctx := context.Background()
	check := func(c checkCase) error {
		res, err := qs.Check(ctx, queries.CheckRequest{User: c.user, Permission: c.perm, Contexts: c.contexts})
		if err == nil && res.Decision.Allowed != c.allowed {
			err = fmt.Errorf("check %+v answered %+v", c, res.Decision)
		}
		return err
	}
	if err := st.View(func(v *readmodel.View) error { _, err := v.Users("", 0); return err }); err != nil {
		return nil, err
	}
	for _, c := range cases[:len(cases)/warmupDiv] {
		if err := check(c); err != nil {
			return nil, err
		}
	}
	out := make(latencies, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		err := check(c)
		out = append(out, time.Since(start))
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *runner) inProcessRow(d *dataset, ip inprocResult) {
	x := row{figure: fmt.Sprintf("in-process check (queries API), median, %s users / %s holdings", thousands(int64(d.users)), thousands(int64(d.users*holdingsPerUser))),
		value: fmtDur(ip.checks.p50()), baseline: fmtDur(ip.gets.p50()) + " (Pebble Get)", ratio: float64(ip.checks.p50()) / float64(ip.gets.p50())}
	atMostRatio(&x, 3)
	r.table.add(x)
	r.table.add(row{figure: "in-process check p99 (info)", value: fmtDur(ip.checks.p99()), baseline: fmtDur(ip.gets.p99()) + " (Pebble Get)",
		ratio: float64(ip.checks.p99()) / float64(ip.gets.p99())})
}

// scaleRow compares the in-process check median at the two sizes.
func (r *runner) scaleRow(small, large time.Duration) {
	x := row{figure: fmt.Sprintf("check latency (in-process median) at %s users vs %s users", thousands(int64(r.large.users)), thousands(int64(r.small.users))),
		value: fmtDur(large), baseline: fmtDur(small), ratio: float64(large) / float64(small)}
	atMostRatio(&x, 1.5)
	r.table.add(x)
}

// memoryRows report the server's resident memory at the large size.
func (r *runner) memoryRows(c *child) {
	serving := c.resetPeak()
	x := row{figure: fmt.Sprintf("server resident memory (VmRSS, peak while serving the scenarios) at %s users", thousands(int64(r.cfg.users))),
		value: fmtBytes(serving), target: "≤ 1.5 GiB", hasGoal: true, pass: serving <= 3<<29}
	r.table.add(x)
	r.table.add(row{figure: "server resident memory, peak during the bulk load (info)", value: fmtBytes(r.loadPeakRSS)})
	r.table.add(row{figure: "server VmHWM over its whole life (info)", value: fmtBytes(c.hwm())})
}
