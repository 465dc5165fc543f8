package main

import (
	"fmt"
	"runtime"
	"syscall"
	"time"
)

// cpuMark is the CPU time the runner and the server had used at a moment,
// so that a scenario can say what its work cost both processes.
type cpuMark struct {
	runner, server time.Duration
}

func markCPU(c *child) cpuMark { return cpuMark{runner: selfCPU(), server: c.cpuTime()} }

// since is the CPU each process used from m until now.
func (m cpuMark) since(c *child) cpuMark {
	now := markCPU(c)
	return cpuMark{runner: now.runner - m.runner, server: now.server - m.server}
}

func (m cpuMark) total() time.Duration { return m.runner + m.server }

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuBudgetRow compares the CPU a scenario spent per event, both processes
// together, with what a rate of minRatio × baseRate leaves per event when
// every core of the machine works on nothing else: cores / (minRatio ×
// baseRate). A ratio above 1 means the target cannot be met by scheduling
// the same work better, only by doing less of it.
func cpuBudgetRow(figure string, used cpuMark, events int, baseRate, minRatio float64) row {
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(max(events, 1)) }
	cores := runtime.NumCPU()
	budget := float64(cores) / (minRatio * baseRate) * 1e9
	return row{
		figure: figure,
		value: fmt.Sprintf("%s (server %s, runner %s)", fmtNanos(per(used.total())),
			fmtNanos(per(used.server)), fmtNanos(per(used.runner))),
		baseline: fmt.Sprintf("%s (%d cores at %.1f× the baseline's rate)", fmtNanos(budget), cores, minRatio),
		ratio:    per(used.total()) / budget,
	}
}

// fmtNanos writes a CPU time per event.
func fmtNanos(ns float64) string {
	if ns >= 1000 {
		return fmt.Sprintf("%.2f µs", ns/1000)
	}
	return fmt.Sprintf("%.0f ns", ns)
}
