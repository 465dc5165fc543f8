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
// the queries API's Check against one Pebble Get on both data sets. Both
// data sets are open at once and their operations alternate in blocks of
// interleaveBlock, so that the noise of the shared machine (other load,
// frequency changes) falls on both alike; then it fills the in-process
// and the scale rows.
func (r *runner) inProcessScenario() error {
	stop := r.profile(nil, "inproc")
	defer stop()
	sets := []*dataset{r.small, r.large}
	dirs := make([]string, len(sets))
	cases := make([][]checkCase, len(sets))
	n := max(r.cfg.rounds, 2) * r.cfg.inprocOps
	for i, d := range sets {
		dirs[i] = r.readModelDir(d)
		if err := settlePebble(dirs[i], r.logf); err != nil {
			return err
		}
		rng := rand.New(rand.NewPCG(uint64(i), 5))
		cases[i] = make([]checkCase, n)
		for j := range cases[i] {
			cases[i][j] = d.checkCase(rng.IntN(d.users), rng.IntN(5))
		}
	}
	gets, err := timeGets(dirs, cases)
	if err != nil {
		return err
	}
	checks, err := timeChecks(dirs, cases)
	if err != nil {
		return err
	}
	r.inProcessRow(r.large, inprocResult{gets: gets[1], checks: checks[1]})
	r.scaleRow(checks[0].p50(), checks[1].p50())
	return nil
}

func (r *runner) readModelDir(d *dataset) string {
	name := "large"
	if d == r.small {
		name = "small"
	}
	return filepath.Join(r.dir(name), "readmodel")
}

// interleaveBlock is how many operations run on one data set before the
// other's turn.
const interleaveBlock = 500

// timeInterleaved runs op on every case of every set, a fifth of each
// set's cases untimed first (warm-up), then all of them timed in blocks
// that alternate between the sets, and returns each set's latencies.
func timeInterleaved(cases [][]checkCase, op func(set int, c checkCase) error) ([]latencies, error) {
	out := make([]latencies, len(cases))
	for i, cs := range cases {
		for _, c := range cs[:len(cs)/warmupDiv] {
			if err := op(i, c); err != nil {
				return nil, err
			}
		}
		out[i] = make(latencies, 0, len(cs))
	}
	for from := 0; ; from += interleaveBlock {
		more := false
		for i, cs := range cases {
			for _, c := range cs[min(from, len(cs)):min(from+interleaveBlock, len(cs))] {
				start := time.Now()
				err := op(i, c)
				out[i] = append(out[i], time.Since(start))
				if err != nil {
					return nil, err
				}
			}
			more = more || from+interleaveBlock < len(cs)
		}
		if !more {
			return out, nil
		}
	}
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

// warmupDiv: a fifth of the operations run untimed before the timed pass.
const warmupDiv = 5

// timeGets times Pebble Gets of the cases' user documents on each set's
// read model database, opened with the read model's own Pebble options.
func timeGets(dirs []string, cases [][]checkCase) ([]latencies, error) {
	dbs := make([]*pebble.DB, len(dirs))
	defer func() {
		for _, db := range dbs {
			if db != nil {
				db.Close()
			}
		}
	}()
	for i, dir := range dirs {
		db, err := readmodel.OpenPebble(dir, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return nil, err
		}
		dbs[i] = db
		if err := warmPebble(db); err != nil {
			return nil, err
		}
	}
	return timeInterleaved(cases, func(set int, c checkCase) error {
		v, closer, err := dbs[set].Get(append([]byte("u/"), c.user...))
		if err != nil {
			return fmt.Errorf("pebble get %s: %w", c.user, err)
		}
		if len(v) == 0 {
			return errors.New("empty user document")
		}
		return closer.Close()
	})
}

// timeChecks times checks through the queries API on each set's read
// model, with every user document read once first (View.Users), as a
// server that has answered checks about every user.
func timeChecks(dirs []string, cases [][]checkCase) ([]latencies, error) {
	qs := make([]*queries.Service, len(dirs))
	for i, dir := range dirs {
		st, err := readmodel.Open(dir, readmodel.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			return nil, err
		}
		defer st.Close()
		if err := st.View(func(v *readmodel.View) error { _, err := v.Users("", 0); return err }); err != nil {
			return nil, err
		}
		qs[i] = queries.New(st)
	}
	ctx := context.Background()
	return timeInterleaved(cases, func(set int, c checkCase) error {
		res, err := qs[set].Check(ctx, queries.CheckRequest{User: c.user, Permission: c.perm, Contexts: c.contexts})
		if err == nil && res.Decision.Allowed != c.allowed {
			err = fmt.Errorf("check %+v answered %+v", c, res.Decision)
		}
		return err
	})
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
