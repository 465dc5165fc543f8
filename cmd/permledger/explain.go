package main

import (
	"context"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var explainUsage = usage{
	name:     "explain",
	synopsis: "[flags] USER PERMISSION [CONTEXT...]",
	about: `Explains a check (permledger.q.explain): the decision, the rule that made
it (R1 admin, R2 unlimited role, R3 explicit deny, R4 a holding, R5
nothing), the holding or override that matched and the role it came
through, and the sequence, time, actor and command id of the event that
created it. --at-seq or --at-time explain as of then.

Exit status: 0 allow, 1 deny, 2 error.`,
	example: `permledger explain bob@corp.com app.deploy team:blue app:web
permledger explain --at-seq 12 bob@corp.com app.deploy team:blue`,
}

func runExplain(ctx context.Context, e *environ, args []string) error {
	var f checkFlags
	fs := newFlagSet(e, explainUsage)
	f.register(fs, e)
	pos, err := parseArgs(fs, args, 2, -1)
	if err != nil {
		return helpOK(err)
	}
	var rep api.CheckReply
	err = f.call(ctx, func(ctx context.Context, c *client.Client) error {
		rep, err = c.Explain(ctx, f.request(pos))
		return err
	})
	if err != nil {
		return failed(err)
	}
	return decided(e, f.json, rep)
}
