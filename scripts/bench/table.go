package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// row is one line of the result table.
type row struct {
	figure   string
	value    string
	baseline string
	ratio    float64 // value / baseline; 0 when there is no baseline
	target   string
	pass     bool
	hasGoal  bool // false: informational row
}

// goal kinds.
func atLeastRatio(r *row, min float64) {
	r.target, r.hasGoal, r.pass = fmt.Sprintf("≥ %.1f×", min), true, r.ratio >= min
}

func atMostRatio(r *row, maxRatio float64) {
	r.target, r.hasGoal, r.pass = fmt.Sprintf("≤ %.1f×", maxRatio), true, r.ratio > 0 && r.ratio <= maxRatio
}

// table is the run's result.
type table struct {
	rows []row
}

func (t *table) add(r row) { t.rows = append(t.rows, r) }

// failed counts the rows with a target that missed it.
func (t *table) failed() int {
	n := 0
	for _, r := range t.rows {
		if r.hasGoal && !r.pass {
			n++
		}
	}
	return n
}

// markdown renders the table.
func (t *table) markdown(w io.Writer) {
	fmt.Fprintln(w, "| figure | value | baseline | ratio | target | result |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|---|")
	for _, r := range t.rows {
		ratio, result := "–", "info"
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.2f×", r.ratio)
		}
		if r.hasGoal {
			result = "**FAIL**"
			if r.pass {
				result = "pass"
			}
		}
		target := r.target
		if target == "" {
			target = "–"
		}
		base := r.baseline
		if base == "" {
			base = "–"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.figure, r.value, base, ratio, target, result)
	}
}

func fmtRate(perSec float64, unit string) string {
	return fmt.Sprintf("%s %s/s", thousands(int64(perSec+0.5)), unit)
}

func fmtDur(d time.Duration) string {
	switch {
	case d < 10*time.Microsecond:
		return fmt.Sprintf("%.2f µs", float64(d)/1e3)
	case d < time.Millisecond:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return d.Round(10 * time.Millisecond).String()
}

func fmtBytes(b int64) string {
	if b >= 1<<30 {
		return fmt.Sprintf("%.2f GiB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

func fmtKiB(b int64) string { return fmt.Sprintf("%.1f KiB", float64(b)/1024) }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// report is what a run writes into BENCHMARKS.md.
type report struct {
	mode     string // "full" or "quick"
	command  string
	started  time.Time
	duration time.Duration
	machine  string
	load     [2]string // the machine's load average at the start and at the end
	table    *table
	notes    []string
}

// loadAverage is the one-minute load average (other work on a shared
// machine shows in the figures).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func (r *report) render(w io.Writer) {
	fmt.Fprintf(w, "Command: `%s`  \n", r.command)
	fmt.Fprintf(w, "Run: %s, took %s, on %s; load average %s at the start, %s at the end.\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"),
		r.duration.Round(time.Second), r.machine, r.load[0], r.load[1])
	r.table.markdown(w)
	if len(r.notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range r.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
	}
}

// writeSection replaces the section of path between the mode's markers with
// the report (appending the section if the file lacks it), so the prose
// around it is kept.
func (r *report) writeSection(path string) error {
	begin, end := "<!-- bench:"+r.mode+":begin -->", "<!-- bench:"+r.mode+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var b strings.Builder
	r.render(&b)
	section := begin + "\n" + b.String() + end
	s := string(old)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i >= 0 && j > i {
		s = s[:i] + section + s[j+len(end):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n## Latest " + r.mode + " run\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
