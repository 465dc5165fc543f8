package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/permledger/permledger/internal/ledger"
)

// compactCommand is the admin socket's name for compact.
const compactCommand = "compact"

var compactUsage = usage{
	name:     "compact",
	synopsis: "[flags]",
	about: `Compacts the whole read model now. A bulk load (a migration, an import)
leaves Pebble a compaction debt, which it otherwise pays in the background
as later writes set compactions off, on the cores that answer checks
(/metrics: permledger_readmodel_compaction_debt_bytes). Checks and the
projector go on meanwhile. A progress line with the debt goes to stderr,
the result to stdout.

It is a local operator command, never offered over the network: it goes
through a running serve's admin socket DATA/admin.sock, or, when no serve
owns DATA, opens DATA itself.`,
	example: `permledger compact --data ./data`,
}

// compactResult is what a compact reports.
type compactResult struct {
	DebtBefore uint64  `json:"debt_before_bytes"` // Pebble's estimated compaction debt before
	DebtAfter  uint64  `json:"debt_after_bytes"`
	Seconds    float64 `json:"seconds"`
}

func runCompact(ctx context.Context, e *environ, args []string) error {
	var f localFlags
	fs := newFlagSet(e, compactUsage)
	f.register(fs, e)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	var res compactResult
	err := f.operate(ctx, e, adminRequest{Command: compactCommand}, &res, func(ctx context.Context, l *ledger.Ledger, progress func(string)) (any, error) {
		return compactOn(ctx, l, progress)
	})
	switch {
	case err != nil:
		return failed(err)
	case f.json:
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "compacted: the read model's compaction debt went from %s to %s in %.1fs\n",
		mib(res.DebtBefore), mib(res.DebtAfter), res.Seconds)
	return nil
}

// compactOn compacts an open ledger's read model, reporting progress lines.
func compactOn(ctx context.Context, l *ledger.Ledger, progress func(string)) (compactResult, error) {
	_, before := l.Store.Compactions()
	if progress != nil {
		progress(fmt.Sprintf("compacting the read model (estimated debt %s)", mib(before)))
	}
	start := time.Now()
	if err := l.Store.CompactAll(ctx); err != nil {
		return compactResult{}, err
	}
	_, after := l.Store.Compactions()
	return compactResult{DebtBefore: before, DebtAfter: after, Seconds: time.Since(start).Seconds()}, nil
}

func mib(b uint64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
