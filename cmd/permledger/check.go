package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var checkUsage = usage{
	name:     "check",
	synopsis: "[flags] USER PERMISSION [CONTEXT...]",
	about: `Asks a running serve, over NATS (permledger.q.check), whether USER holds
PERMISSION on a target with the given contexts (TYPE:VALUE; global is
implied), and prints "allow (RULE)" or "deny (RULE)"; with --explain, why
(as the explain command). --at-seq or --at-time answer as the ledger
would have then. A check needs no login.

Exit status: 0 allow, 1 deny, 2 error (printed as "permledger: CODE: MESSAGE").`,
	example: `permledger check root@corp.com pool.create
permledger check --min-seq 7 --explain bob@corp.com app.deploy team:blue app:web
permledger check --at-time 2026-01-02T15:04:05Z bob@corp.com app.deploy team:blue`,
}

// checkFlags are the flags of check and explain.
type checkFlags struct {
	natsFlags
	atSeq, minSeq uint64
	atTime        string
	explain       bool
}

func (f *checkFlags) register(fs *flag.FlagSet, e *environ) {
	f.natsFlags.register(fs, e)
	fs.Uint64Var(&f.atSeq, "at-seq", 0, "answer as of this log `sequence` (0: now)")
	fs.StringVar(&f.atTime, "at-time", "", "answer as of this `time` (RFC 3339, e.g. 2026-01-02T15:04:05Z)")
	fs.Uint64Var(&f.minSeq, "min-seq", 0, "first wait until the read model has applied this `sequence` (read your writes)")
}

func (f *checkFlags) request(pos []string) api.CheckRequest {
	return api.CheckRequest{User: pos[0], Permission: pos[1], Contexts: append([]string{}, pos[2:]...),
		AtSeq: f.atSeq, AtTime: f.atTime, MinSeq: f.minSeq, Explain: f.explain}
}

func runCheck(ctx context.Context, e *environ, args []string) error {
	var f checkFlags
	fs := newFlagSet(e, checkUsage)
	f.register(fs, e)
	fs.BoolVar(&f.explain, "explain", false, "also print why, and the holding that decided")
	pos, err := parseArgs(fs, args, 2, -1)
	if err != nil {
		return helpOK(err)
	}
	var rep api.CheckReply
	err = f.call(ctx, func(ctx context.Context, c *client.Client) error {
		rep, err = c.Check(ctx, f.request(pos))
		return err
	})
	if err != nil {
		return failed(err)
	}
	return decided(e, f.json, rep)
}

// decided prints a check's answer and exits 1 on deny.
func decided(e *environ, asJSON bool, rep api.CheckReply) error {
	if asJSON {
		if err := json.NewEncoder(e.stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		printCheck(e, rep)
	}
	if !rep.Allowed {
		return &exitError{code: exitFailure}
	}
	return nil
}

func printCheck(e *environ, rep api.CheckReply) {
	decision := "deny"
	if rep.Allowed {
		decision = "allow"
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n", decision, rep.Rule)
	if x := rep.Explanation; x != nil {
		printExplanation(e, x, rep.Seq)
	}
}

// printExplanation prints why a check answered as it did: the reason, the
// holding or override that matched (and the role it came through), and
// the event that created it.
func printExplanation(e *environ, x *api.Explanation, seq uint64) {
	w := e.stdout
	fmt.Fprintf(w, "  reason:     %s\n", x.Reason)
	fmt.Fprintf(w, "  user:       %s\n  permission: %s\n", x.User, x.Permission)
	fmt.Fprintf(w, "  contexts:   %s\n", strings.Join(append([]string{"global"}, x.Contexts...), " "))
	if m := x.Match; m != nil {
		fmt.Fprintf(w, "  match:      %s\n", describeMatch(m))
		if m.Seq != 0 {
			fmt.Fprintf(w, "  created:    seq %d at %s by %s (command %s)\n", m.Seq, orDash(m.Time), orDash(m.Actor), orDash(m.CommandID))
		}
	}
	fmt.Fprintf(w, "  seq:        %d\n", seq)
}

func describeMatch(m *api.Match) string {
	holding := m.Permission
	if m.Context != "" {
		holding += " in " + m.Context
	}
	switch m.Kind {
	case "admin":
		return "the user's admin flag"
	case "role", "default-role":
		role := m.Role
		if m.Value != "" {
			role += "(" + m.Value + ")"
		}
		if m.Kind == "default-role" {
			role += ", held by every active user"
		}
		return fmt.Sprintf("role %s, which holds %s", role, holding)
	case "override-allow":
		return "an explicit allow (grant) of " + holding
	case "override-deny":
		return "an explicit deny (revoke) of " + holding
	case "self":
		return "the self permission " + holding
	}
	return m.Kind + " " + holding
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
