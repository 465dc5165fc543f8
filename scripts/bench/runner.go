package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// runner runs the scenarios and fills the table.
type runner struct {
	cfg   config
	out   io.Writer
	log   io.Writer
	table *table
	notes []string
	base  string // data sets live here

	small, large *dataset
	load         loadResult // the large set's bulk load
	loadPeakRSS  int64      // the server's peak RSS during it
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func (r *runner) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

func (r *runner) run(ctx context.Context, args []string) error {
	start, startLoad := time.Now(), loadAverage()
	if err := r.prepareDirs(); err != nil {
		return err
	}
	if !r.cfg.keep {
		defer os.RemoveAll(r.base)
	}
	if err := r.smallSet(ctx); err != nil {
		return err
	}
	if err := r.largeSet(ctx); err != nil {
		return err
	}
	if err := r.inProcessScenario(); err != nil {
		return err
	}
	rep := &report{mode: "full", command: commandLine(args), started: start, duration: time.Since(start),
		machine: machine(), load: [2]string{startLoad, loadAverage()}, table: r.table, notes: r.notes}
	if r.cfg.quick {
		rep.mode = "quick"
	}
	fmt.Fprintln(r.out)
	rep.render(r.out)
	if r.cfg.write != "" {
		if err := rep.writeSection(r.cfg.write); err != nil {
			return err
		}
	}
	if n := r.table.failed(); n > 0 {
		return fmt.Errorf("%w: %d", errTargetsMissed, n)
	}
	return nil
}

func (r *runner) prepareDirs() error {
	if r.cfg.profileDir != "" {
		if err := os.MkdirAll(r.cfg.profileDir, 0o755); err != nil {
			return err
		}
	}
	if r.cfg.dataDir != "" {
		r.base = filepath.Join(r.cfg.dataDir, fmt.Sprintf("run-%d", time.Now().Unix()))
		return os.MkdirAll(r.base, 0o700)
	}
	var err error
	r.base, err = os.MkdirTemp("", "permledger-bench-")
	return err
}

// smallSet loads the small data set (the scale baseline of the check
// latency) and stops its server.
func (r *runner) smallSet(ctx context.Context) error {
	d, err := newDataset(r.cfg.smallUsers, r.cfg.usersPerMsg)
	if err != nil {
		return err
	}
	c, err := r.start(ctx, r.dir("small"))
	if err != nil {
		return err
	}
	if _, err := bulkLoad(ctx, c, d, r.logf); err != nil {
		c.stop()
		return err
	}
	if err := c.stop(); err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	r.small = d
	return nil
}

// largeSet loads the large data set through the bulk path, runs every
// scenario that needs the server on it, and stops the server.
func (r *runner) largeSet(ctx context.Context) error {
	d, err := newDataset(r.cfg.users, r.cfg.usersPerMsg)
	if err != nil {
		return err
	}
	c, err := r.start(ctx, r.dir("large"))
	if err != nil {
		return err
	}
	defer c.stop()
	if err := r.serverScenarios(ctx, c, d); err != nil {
		return err
	}
	if err := c.stop(); err != nil {
		return fmt.Errorf("stopping the server: %w", err)
	}
	r.large = d
	return nil
}

func (r *runner) dir(name string) string { return filepath.Join(r.base, name) }

func (r *runner) start(ctx context.Context, dir string) (*child, error) {
	r.logf("starting the server on %s", dir)
	return startChild(ctx, dir, r.log)
}

// serverScenarios are the scenarios that need the server running.
func (r *runner) serverScenarios(ctx context.Context, c *child, d *dataset) error {
	steps := []struct {
		name string
		fn   func(context.Context, *child, *dataset) error
	}{
		{"bulk", r.bulkScenario},
		{"http", r.httpScenario},
		{"nats", r.natsScenario},
		{"grants", r.grantScenario},
		{"freshness", r.freshnessScenario},
		{"rebuild", r.rebuildScenario},
	}
	for _, s := range steps {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r.logf("scenario %s", s.name)
		stopProf := r.profile(c, s.name)
		err := s.fn(ctx, c, d)
		stopProf()
		if err != nil {
			return fmt.Errorf("scenario %s: %w", s.name, err)
		}
	}
	r.memoryRows(c)
	if r.cfg.profileDir != "" {
		dir, _ := filepath.Abs(r.cfg.profileDir)
		if err := c.profile("heap " + filepath.Join(dir, "server-heap.pprof")); err != nil {
			r.logf("server heap profile: %v", err)
		}
	}
	return nil
}

// profile starts CPU profiles of the server and of the runner for one
// scenario when --profile is set, and returns what stops them.
func (r *runner) profile(c *child, name string) func() {
	if r.cfg.profileDir == "" {
		return func() {}
	}
	dir, _ := filepath.Abs(r.cfg.profileDir)
	if c != nil {
		if err := c.profile("start " + filepath.Join(dir, name+"-server.pprof")); err != nil {
			r.logf("server profile: %v", err)
		}
	}
	f, err := os.Create(filepath.Join(dir, name+"-runner.pprof"))
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		r.logf("runner profile: %v", err)
	}
	return func() {
		if c != nil {
			_ = c.profile("stop")
		}
		pprof.StopCPUProfile()
		if f != nil {
			f.Close()
		}
	}
}

func commandLine(args []string) string {
	s := "go run ./scripts/bench"
	if len(args) > 0 {
		s += " " + strings.Join(args, " ")
	}
	return s
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if v, err := procMemTotal(); err == nil {
		mem = ", " + fmtBytes(v) + " RAM"
	}
	return fmt.Sprintf("%d cores (%s)%s, %s, %s/%s", runtime.NumCPU(), model, mem, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func procMemTotal() (int64, error) {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	var kb int64
	for _, line := range strings.Split(string(b), "\n") {
		if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no MemTotal")
}
