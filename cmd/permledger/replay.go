package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// Admin socket commands besides root-user-create.
const (
	replayCommand = "replay"
	verifyCommand = "verify"
)

var replayUsage = usage{
	name:     "replay",
	synopsis: "[flags]",
	about: `Rebuilds the read model from the log into a fresh folder and swaps it in
without stopping checks (SEMANTICS.md section 7): the log is the truth.
Progress lines ("applied N/M") go to stderr, the result to stdout.

It is a local operator command, never offered over the network: it goes
through a running serve's admin socket DATA/admin.sock, or, when no serve
owns DATA, opens DATA itself.`,
	example: `permledger replay --data ./data`,
}

// localFlags are the flags of the local operator commands.
type localFlags struct {
	data, natsURL string
	json          bool
}

func (f *localFlags) register(fs *flag.FlagSet, e *environ) {
	fs.StringVar(&f.data, "data", e.envOr("PERMLEDGER_DATA", "./data"), "data `dir` (env PERMLEDGER_DATA)")
	fs.StringVar(&f.natsURL, "nats-url", e.getenv("PERMLEDGER_NATS_URL"), "external NATS `url`s when no serve runs; empty: the embedded server (env PERMLEDGER_NATS_URL)")
	fs.Lookup("nats-url").DefValue = redactURLs(f.natsURL)
	fs.BoolVar(&f.json, "json", false, "print the result as JSON")
}

// replayResult is what a replay reports.
type replayResult struct {
	// Seq is the sequence the new read model had reached at the swap.
	Seq uint64 `json:"seq"`
}

func runReplay(ctx context.Context, e *environ, args []string) error {
	var f localFlags
	fs := newFlagSet(e, replayUsage)
	f.register(fs, e)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	var res replayResult
	err := f.operate(ctx, e, adminRequest{Command: replayCommand}, &res, func(ctx context.Context, l *ledger.Ledger, progress func(string)) (any, error) {
		return replayOn(ctx, l, progress)
	})
	switch {
	case err != nil:
		return failed(err)
	case f.json:
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "replayed: the read model was rebuilt from the log and swapped in at seq %d\n", res.Seq)
	return nil
}

// replayOn replays an open ledger, reporting progress lines.
func replayOn(ctx context.Context, l *ledger.Ledger, progress func(string)) (replayResult, error) {
	seq, err := l.Replay(ctx, progressLines(progress))
	return replayResult{Seq: seq}, err
}

func progressLines(progress func(string)) func(applied, total uint64) {
	return func(applied, total uint64) {
		if progress != nil {
			progress(fmt.Sprintf("applied %d/%d", applied, total))
		}
	}
}

// operate runs an operator command through a serve's admin socket, or,
// when none answers, on DATA opened here; progress lines go to stderr and
// the result is decoded into out.
func (f *localFlags) operate(ctx context.Context, e *environ, req adminRequest, out any,
	local func(context.Context, *ledger.Ledger, func(string)) (any, error)) error {
	progress := func(line string) { fmt.Fprintln(e.stderr, line) }
	result, ae, reached, err := adminStream(ctx, f.data, req, progress)
	if reached {
		if err == nil && ae != nil {
			err = ae
		}
		if err == nil {
			err = json.Unmarshal(result, out)
		}
		return err
	}
	l, err := ledger.Open(ctx, ledger.Config{DataDir: f.data, NATSURL: f.natsURL,
		Embedded: natsserver.Config{Port: -1}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return api.Errorf(api.CodeUnavailable, "no serve answers on %s and opening %s failed: %v", adminSocketPath(f.data), f.data, err)
	}
	defer l.Close()
	res, err := local(ctx, l, progress)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(res)
	return json.Unmarshal(b, out)
}
