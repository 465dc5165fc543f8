package conformance

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Result is one scenario's outcome; Err nil means it passed.
type Result struct {
	Scenario *Scenario
	Err      error
}

// String is the report line: "PASS ID" or "FAIL ID: step N (...): ...", on
// one line.
func (r Result) String() string {
	if r.Err == nil {
		return "PASS " + r.Scenario.ID()
	}
	msg := strings.Join(strings.Fields(strings.ReplaceAll(r.Err.Error(), "\n", "; ")), " ")
	return "FAIL " + r.Scenario.ID() + ": " + msg
}

// ID is the scenario's short name in reports: its file's base name without
// .json (e.g. "01-root-bootstrap"), or its name when it has no file.
func (sc *Scenario) ID() string {
	if sc.File == "" {
		return sc.Name
	}
	return strings.TrimSuffix(filepath.Base(sc.File), ".json")
}

// RunAll runs every scenario, each on its own fresh target, writing one
// line per scenario as it finishes and then "N passed, M failed".
func RunAll(ctx context.Context, scs []*Scenario, newTarget NewTarget, out io.Writer) (passed, failed int) {
	for _, sc := range scs {
		res := Result{Scenario: sc, Err: Run(ctx, sc, newTarget)}
		if res.Err == nil {
			passed++
		} else {
			failed++
		}
		fmt.Fprintln(out, res)
	}
	fmt.Fprintf(out, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}
