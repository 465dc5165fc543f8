package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/permledger/permledger/internal/conformance"
	"github.com/permledger/permledger/internal/ledger"
)

var conformanceUsage = usage{
	name:     "conformance",
	synopsis: "[flags] FILE_OR_DIR...",
	about: `Runs conformance scenarios (shared/conformance/FORMAT.md): every *.json
file named, or in a folder named (not recursive), each against its own
fresh embedded ledger (JetStream on a random loopback port, Pebble in a
temporary folder, both removed afterwards). Prints "PASS name" or
"FAIL name: step N (...): ..." per scenario, and a file that cannot be read
or parsed as "FAIL file: why"; then "N passed, M failed".

Exit status: 0 when every scenario passed, 1 otherwise.`,
	example: `permledger conformance ../shared/conformance
permledger conformance ../shared/conformance/01-root-bootstrap.json`,
}

func runConformance(ctx context.Context, e *environ, args []string) error {
	fs := newFlagSet(e, conformanceUsage)
	cost := fs.Int("bcrypt-cost", 4, "bcrypt `cost` of the throwaway ledgers (4 is bcrypt's minimum)")
	paths, err := parseArgs(fs, args, 1, -1)
	if err != nil {
		return helpOK(err)
	}
	tmp, err := os.MkdirTemp("", "permledger-conformance-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	scs, loadErr := conformance.Load(paths)
	failed := 0
	for _, err := range unjoin(loadErr) {
		fmt.Fprintln(e.stdout, "FAIL "+oneLine(err.Error()))
		failed++
	}
	passed, runFailed, err := runScenarios(ctx, e, scs, ledger.ConformanceTargets(tmp, *cost))
	failed += runFailed
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", passed, failed)
	if err != nil {
		return err
	}
	if failed > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// runScenarios is conformance.RunAll without its summary line (the caller
// adds the files that did not parse), stopping when ctx ends.
func runScenarios(ctx context.Context, e *environ, scs []*conformance.Scenario, newTarget conformance.NewTarget) (passed, failed int, err error) {
	for _, sc := range scs {
		if err := ctx.Err(); err != nil {
			return passed, failed, fmt.Errorf("interrupted: %w", context.Cause(ctx))
		}
		res := conformance.Result{Scenario: sc, Err: conformance.Run(ctx, sc, newTarget)}
		if res.Err == nil {
			passed++
		} else {
			failed++
		}
		fmt.Fprintln(e.stdout, res)
	}
	return passed, failed, nil
}

// unjoin splits an errors.Join into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}
