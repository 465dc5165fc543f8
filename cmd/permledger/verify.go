package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/strictjson"
)

var verifyUsage = usage{
	name:     "verify",
	synopsis: "[flags]",
	about: `Rebuilds the read model from the log into a scratch folder, up to the
live read model's sequence, and compares the two key by key: any
difference is a bug. Prints each difference (at most --limit) and exits 1
if there is any; progress lines ("applied N/M") go to stderr.

It is a local operator command, never offered over the network: it goes
through a running serve's admin socket DATA/admin.sock, or, when no serve
owns DATA, opens DATA itself.

Exit status: 0 no difference, 1 differences, 2 error.`,
	example: `permledger verify --data ./data
permledger verify --limit 10 --json`,
}

// verifyArgs are verify's arguments on the admin socket.
type verifyArgs struct {
	Limit int `json:"limit,omitempty"`
}

// verifyResult is what a verify reports.
type verifyResult struct {
	Seq         uint64             `json:"seq"`  // the live read model's sequence, compared
	Keys        int                `json:"keys"` // keys compared
	Differences []verifyDifference `json:"differences"`
}

// verifyDifference is one key on which the read models disagree; Key is
// quoted (keys hold binary parts), values are as stored (null: absent).
type verifyDifference struct {
	Key     string `json:"key"`
	Live    []byte `json:"live"`
	Rebuilt []byte `json:"rebuilt"`
}

func runVerify(ctx context.Context, e *environ, args []string) error {
	var f localFlags
	fs := newFlagSet(e, verifyUsage)
	f.register(fs, e)
	limit := fs.Int("limit", 100, "report at most this many `differences` (0: all)")
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	va, _ := json.Marshal(verifyArgs{Limit: *limit})
	var res verifyResult
	err := f.operate(ctx, e, adminRequest{Command: verifyCommand, Args: va}, &res, func(ctx context.Context, l *ledger.Ledger, progress func(string)) (any, error) {
		return verifyOn(ctx, l, va, progress)
	})
	if err != nil {
		return failed(err)
	}
	if f.json {
		if err := json.NewEncoder(e.stdout).Encode(res); err != nil {
			return err
		}
	} else {
		printVerify(e, res)
	}
	if len(res.Differences) > 0 {
		return &exitError{code: exitFailure}
	}
	return nil
}

// verifyOn verifies an open ledger, reporting progress lines.
func verifyOn(ctx context.Context, l *ledger.Ledger, raw json.RawMessage, progress func(string)) (verifyResult, error) {
	var args verifyArgs
	if len(raw) > 0 {
		if err := strictjson.Unmarshal(raw, &args); err != nil {
			return verifyResult{}, argsError("malformed verify args: %v", err)
		}
	}
	diffs, seq, keys, err := l.Verify(ctx, args.Limit, progressLines(progress))
	res := verifyResult{Seq: seq, Keys: keys, Differences: []verifyDifference{}}
	for _, d := range diffs {
		res.Differences = append(res.Differences, verifyDifference{Key: fmt.Sprintf("%q", d.Key), Live: d.Live, Rebuilt: d.Rebuilt})
	}
	return res, err
}

func printVerify(e *environ, res verifyResult) {
	if len(res.Differences) == 0 {
		fmt.Fprintf(e.stdout, "verified: the read model matches the log at seq %d (%d keys)\n", res.Seq, res.Keys)
		return
	}
	fmt.Fprintf(e.stdout, "verify: %d differences at seq %d (%d keys compared):\n", len(res.Differences), res.Seq, res.Keys)
	for _, d := range res.Differences {
		fmt.Fprintf(e.stdout, "  key %s: live %s, rebuilt %s\n", d.Key, shown(d.Live), shown(d.Rebuilt))
	}
}

// shown renders a stored value for a person: absent, or quoted and cut.
func shown(v []byte) string {
	if v == nil {
		return "(absent)"
	}
	if len(v) > 120 {
		return fmt.Sprintf("%q…(%d bytes)", v[:120], len(v))
	}
	return fmt.Sprintf("%q", v)
}
