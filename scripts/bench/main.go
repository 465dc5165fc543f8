// Command bench measures permledger against baselines measured in the same
// run on the same machine, on a data set it generates, and prints the table
// kept in BENCHMARKS.md (issue 7).
//
//	go run ./scripts/bench [--quick] [--write BENCHMARKS.md] [--profile DIR] [--keep --data DIR]
//	go run ./scripts/bench inproc --data DIR/run-N     (the in-process scenario on kept data sets)
//
// The server under test runs in a child process (`bench serve`, the same
// binary) so that its resident memory is measured on its own; the runner is
// the load generator and measures the in-process figures itself after the
// child stopped. BENCHMARKS.md describes every figure and its baseline. It
// imports the ledger's packages and must never be imported.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// errTargetsMissed is returned when a run completed but missed a target.
var errTargetsMissed = errors.New("some targets were missed")

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		return runServe(ctx, args[1:], stdin, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "inproc" {
		return runInproc(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	r := &runner{cfg: cfg, out: stdout, log: stderr, table: &table{}}
	return r.run(ctx, args)
}

// config is what a run is told.
type config struct {
	quick       bool
	users       int // the large data set
	smallUsers  int // the small data set (the check latency scale baseline)
	usersPerMsg int
	dataDir     string
	keep        bool
	write       string // file whose bench section to replace
	profileDir  string
	phase       time.Duration // one timed round of a throughput scenario
	rounds      int
	natsReqs    int // requests per side for the NATS latency
	inprocOps   int // operations per side per round in process
	freshTries  int // tries without min_seq
	minSeqTries int // tries with min_seq
	rebuildEvs  int // events to rebuild
	rawBulkEvs  int // events of the raw PublishAsync baseline
}

func defaultConfig(quick bool) config {
	c := config{quick: quick, users: 1_000_000, smallUsers: 1_000, usersPerMsg: 100,
		phase: 4 * time.Second, rounds: 3, natsReqs: 30_000, inprocOps: 100_000,
		freshTries: 2_000, minSeqTries: 10_000, rebuildEvs: 1_000_000, rawBulkEvs: 1_000_000}
	if quick {
		c.users, c.phase, c.rounds, c.natsReqs, c.inprocOps = 100_000, 2*time.Second, 2, 5_000, 20_000
		c.freshTries, c.minSeqTries, c.rebuildEvs, c.rawBulkEvs = 500, 10_000, 300_000, 300_000
	}
	return c
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	quick := false
	for _, a := range args {
		if a == "--quick" || a == "-quick" || a == "--quick=true" {
			quick = true
		}
	}
	c := defaultConfig(quick)
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&c.quick, "quick", quick, "smaller data set and shorter phases (under 2 minutes)")
	fs.IntVar(&c.users, "users", c.users, "`users` of the large data set")
	fs.IntVar(&c.smallUsers, "small-users", c.smallUsers, "`users` of the small data set")
	fs.IntVar(&c.usersPerMsg, "users-per-msg", c.usersPerMsg, "`users` per log message in the bulk load")
	fs.StringVar(&c.dataDir, "data", getenv("PERMLEDGER_BENCH_DATA"), "`dir` for the data sets (default: a temporary dir) (env PERMLEDGER_BENCH_DATA)")
	fs.BoolVar(&c.keep, "keep", false, "keep the data sets")
	fs.StringVar(&c.write, "write", "", "replace this run's section of `file` (BENCHMARKS.md)")
	fs.StringVar(&c.profileDir, "profile", "", "write CPU profiles of each scenario (server and runner) to `dir`")
	fs.DurationVar(&c.phase, "phase", c.phase, "`duration` of one round of a throughput scenario")
	fs.IntVar(&c.rounds, "rounds", c.rounds, "alternating `rounds` of each throughput scenario")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c config) validate() error {
	var errs []error
	if c.users < 10 || c.smallUsers < 10 {
		errs = append(errs, errors.New("--users and --small-users must be at least 10"))
	}
	if c.usersPerMsg < 1 || c.usersPerMsg > 500 {
		errs = append(errs, errors.New("--users-per-msg must be 1 to 500 (a message must stay under 1 MiB)"))
	}
	if c.phase <= 0 || c.rounds < 1 {
		errs = append(errs, errors.New("--phase and --rounds must be positive"))
	}
	return errors.Join(errs...)
}

// runInproc runs only the in-process scenario on the data sets a run kept
// (--keep): `bench inproc --data RUNDIR --users N --small-users M`.
func runInproc(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench inproc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data", "", "`dir` of a kept run (holding small/ and large/)")
	users := fs.Int("users", 1_000_000, "`users` of the large data set")
	small := fs.Int("small-users", 1_000, "`users` of the small data set")
	ops := fs.Int("ops", 50_000, "timed `operations` per side per round")
	rounds := fs.Int("rounds", 3, "`rounds`")
	profile := fs.String("profile", "", "write a CPU profile to `dir`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := &runner{cfg: config{inprocOps: *ops, rounds: *rounds, profileDir: *profile}, out: stdout, log: stderr, table: &table{}, base: *dir}
	var err error
	if r.small, err = newDataset(*small, 1); err != nil {
		return err
	}
	if r.large, err = newDataset(*users, 1); err != nil {
		return err
	}
	if err := r.inProcessScenario(); err != nil {
		return err
	}
	r.table.markdown(stdout)
	return nil
}
