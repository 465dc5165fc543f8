package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// child is a `bench serve` process: the server under test.
type child struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	ready   ready
	nc      *nats.Conn    // the runner's own connection to the child's server
	exited  chan struct{} // closed when the process has exited
	exitErr error

	stopOnce sync.Once
	stopErr  error

	mu      sync.Mutex
	peakRSS int64 // highest VmRSS sampled by the runner
	stopMon chan struct{}
}

// startChild runs this program's serve mode on dataDir and waits until it
// serves.
func startChild(ctx context.Context, dataDir string, stderr io.Writer) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "serve", "--data", dataDir)
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, stdin: stdin, exited: make(chan struct{}), stopMon: make(chan struct{})}
	go func() {
		c.exitErr = cmd.Wait()
		close(c.exited)
	}()
	if err := c.awaitReady(ctx, stdout); err != nil {
		c.kill()
		return nil, err
	}
	if c.nc, err = nats.Connect(c.ready.NATS, nats.Name("bench-runner")); err != nil {
		c.kill()
		return nil, err
	}
	go c.monitor()
	return c, nil
}

func (c *child) awaitReady(ctx context.Context, stdout io.Reader) error {
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	select {
	case line, ok := <-lines:
		if !ok {
			return errors.New("bench serve exited before it was ready")
		}
		return json.Unmarshal([]byte(line), &c.ready)
	case <-c.exited:
		return fmt.Errorf("bench serve exited before it was ready: %v", c.exitErr)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// monitor samples the child's resident memory every 100ms.
func (c *child) monitor() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-c.stopMon:
			return
		case <-t.C:
			c.sample()
		}
	}
}

func (c *child) sample() int64 {
	rss, err := procStatus(c.cmd.Process.Pid, "VmRSS")
	if err != nil {
		return 0
	}
	c.mu.Lock()
	c.peakRSS = max(c.peakRSS, rss)
	c.mu.Unlock()
	return rss
}

// resetPeak starts a new peak window and returns the previous peak.
func (c *child) resetPeak() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.peakRSS
	c.peakRSS = 0
	return p
}

// hwm is the kernel's peak resident size of the child over its life.
func (c *child) hwm() int64 {
	v, _ := procStatus(c.cmd.Process.Pid, "VmHWM")
	return v
}

// cpuTime is the child's user+system CPU time so far.
func (c *child) cpuTime() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(fields) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}

// settle waits until the server's read model has run no Pebble compaction
// for two seconds, at most limit (0: ask once), and returns how long it
// waited and the compaction debt Pebble still estimates (it leaves a small
// debt below its own thresholds alone, so waiting for no debt may never
// end): a scenario timed meanwhile would share the cores with it.
func (c *child) settle(limit time.Duration) (time.Duration, uint64, error) {
	start, idle := time.Now(), time.Now()
	var debt uint64
	for { // asks at least once
		m, err := c.nc.Request(subjectCompact, nil, 5*time.Second)
		if err != nil {
			return time.Since(start), 0, fmt.Errorf("compactions of the server: %w", err)
		}
		var running int64
		if _, err := fmt.Sscanf(string(m.Data), "%d %d", &running, &debt); err != nil {
			return time.Since(start), 0, fmt.Errorf("compactions of the server: %q: %w", m.Data, err)
		}
		if running > 0 {
			idle = time.Now()
		}
		if time.Since(start) >= limit || time.Since(idle) >= 2*time.Second {
			return time.Since(start), debt, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// compact asks the server to compact its whole read model and waits.
func (c *child) compact(limit time.Duration) error {
	m, err := c.nc.Request(subjectCompact, []byte("compact"), limit)
	if err != nil {
		return fmt.Errorf("compacting the server's read model: %w", err)
	}
	if string(m.Data) != "ok" {
		return fmt.Errorf("compacting the server's read model: %s", m.Data)
	}
	return nil
}

// procStatus reads a "kB" field of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// profile asks the child to start or stop a CPU profile (see server.profile).
func (c *child) profile(cmd string) error {
	m, err := c.nc.Request(subjectProfile, []byte(cmd), 5*time.Second)
	if err != nil {
		return err
	}
	if string(m.Data) != "ok" {
		return errors.New(string(m.Data))
	}
	return nil
}

// stop closes the child's stdin and waits for it to close the ledger.
func (c *child) stop() error {
	c.stopOnce.Do(func() { c.stopErr = c.doStop() })
	return c.stopErr
}

func (c *child) doStop() error {
	close(c.stopMon)
	if c.nc != nil {
		c.nc.Close()
	}
	_ = c.stdin.Close()
	select {
	case <-c.exited:
		return c.exitErr
	case <-time.After(2 * time.Minute):
		c.kill()
		return errors.New("bench serve did not stop within 2 minutes; killed")
	}
}

func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.exited
}
