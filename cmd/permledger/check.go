package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/permledger/permledger/api"
)

var checkUsage = usage{
	name:     "check",
	synopsis: "[flags] USER PERMISSION [CONTEXT...]",
	about: `Asks a running serve, over NATS (permledger.q.check), whether USER holds
PERMISSION on a target with the given contexts (TYPE:VALUE; global is
implied), and prints "allow (RULE)" or "deny (RULE)".

Exit status: 0 allow, 1 deny, 2 error (printed as "permledger: CODE: MESSAGE").`,
	example: `permledger check root@corp.com pool.create
permledger check --min-seq 7 --explain bob@corp.com app.deploy team:blue app:web`,
}

type checkFlags struct {
	natsFlags
	atSeq, minSeq uint64
	explain       bool
}

func runCheck(ctx context.Context, e *environ, args []string) error {
	var f checkFlags
	fs := newFlagSet(e, checkUsage)
	f.register(fs, e)
	fs.Uint64Var(&f.atSeq, "at-seq", 0, "answer as of this log `sequence` (0: now)")
	fs.Uint64Var(&f.minSeq, "min-seq", 0, "first wait until the read model has applied this `sequence` (read your writes)")
	fs.BoolVar(&f.explain, "explain", false, "also print why, and the holding that decided")
	pos, err := parseArgs(fs, args, 2, -1)
	if err != nil {
		return helpOK(err)
	}
	req := api.CheckRequest{User: pos[0], Permission: pos[1], Contexts: append([]string{}, pos[2:]...),
		AtSeq: f.atSeq, MinSeq: f.minSeq, Explain: f.explain}
	rep, err := f.check(ctx, req)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if err := printCheck(e, f.json, rep); err != nil {
		return err
	}
	if !rep.Allowed {
		return &exitError{code: exitFailure}
	}
	return nil
}

func (f *checkFlags) check(ctx context.Context, req api.CheckRequest) (api.CheckReply, error) {
	c, closeConn, err := f.connect()
	if err != nil {
		return api.CheckReply{}, err
	}
	defer closeConn()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return c.Check(ctx, req)
}

func printCheck(e *environ, asJSON bool, rep api.CheckReply) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	decision := "deny"
	if rep.Allowed {
		decision = "allow"
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n", decision, rep.Rule)
	if x := rep.Explanation; x != nil {
		fmt.Fprintf(e.stdout, "  reason: %s\n  seq:    %d\n", x.Reason, rep.Seq)
		if m := x.Match; m != nil {
			fmt.Fprintf(e.stdout, "  match:  %s role=%q permission=%q context=%q (seq %d by %q, command %s)\n",
				m.Kind, m.Role, m.Permission, m.Context, m.Seq, m.Actor, m.CommandID)
		}
	}
	return nil
}
