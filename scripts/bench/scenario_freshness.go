package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
)

// freshPerm is granted on a fresh pool context per try: before the grant
// the check answers no (no role or override gives it there), after it yes.
const freshPerm = "pool.delete"

// freshnessScenario measures how long after a command's reply a check on
// another connection, without min_seq, first sees the change; then counts
// stale answers of checks that pass the reply's sequence as min_seq.
func (r *runner) freshnessScenario(ctx context.Context, c *child, d *dataset) error {
	g, err := newGranter(ctx, c.nc, d, "fresh")
	if err != nil {
		return err
	}
	nc, err := nats.Connect(c.ready.NATS, nats.Name("bench-freshness-reader"))
	if err != nil {
		return err
	}
	defer nc.Close()
	lags, err := freshnessWithout(ctx, g, nc, r.cfg.freshTries)
	if err != nil {
		return err
	}
	p99 := lags.p99()
	row1 := row{figure: fmt.Sprintf("freshness without min_seq: command reply → visible to a check, p99 of %s tries", thousands(int64(len(lags)))),
		value: fmtDur(p99), target: "≤ 10 ms", hasGoal: true, pass: p99 <= 10*time.Millisecond}
	r.table.add(row1)
	stale, err := freshnessWith(ctx, g, nc, r.cfg.minSeqTries)
	if err != nil {
		return err
	}
	row2 := row{figure: fmt.Sprintf("freshness with min_seq: stale answers in %s tries", thousands(int64(r.cfg.minSeqTries))),
		value: thousands(int64(stale)), target: "0", hasGoal: true, pass: stale == 0}
	r.table.add(row2)
	return nil
}

// freshnessWithout: grant, then check until allowed (giving up after 1s,
// which then counts as a 1s lag).
func freshnessWithout(ctx context.Context, g *granter, nc *nats.Conn, tries int) (latencies, error) {
	var out latencies
	for range tries {
		user, target, _, err := g.grant(ctx, freshPerm, "pool")
		if err != nil {
			return nil, err
		}
		replied := time.Now()
		for {
			ok, err := check(nc, api.CheckRequest{User: user, Permission: freshPerm, Contexts: []string{target}})
			if err != nil {
				return nil, err
			}
			if lag := time.Since(replied); ok || lag > time.Second {
				out = append(out, lag)
				break
			}
		}
	}
	return out, nil
}

// freshnessWith: grant, then one check with min_seq = the reply's sequence.
func freshnessWith(ctx context.Context, g *granter, nc *nats.Conn, tries int) (int, error) {
	stale := 0
	for range tries {
		user, target, seq, err := g.grant(ctx, freshPerm, "pool")
		if err != nil {
			return 0, err
		}
		ok, err := check(nc, api.CheckRequest{User: user, Permission: freshPerm, Contexts: []string{target}, MinSeq: seq})
		if err != nil {
			return 0, err
		}
		if !ok {
			stale++
		}
	}
	return stale, nil
}

func check(nc *nats.Conn, req api.CheckRequest) (bool, error) {
	b, _ := json.Marshal(req)
	m, err := nc.Request(api.SubjectCheck, b, 10*time.Second)
	if err != nil {
		return false, err
	}
	var rep api.CheckReply
	if err := json.Unmarshal(m.Data, &rep); err != nil {
		return false, err
	}
	if rep.Error != nil {
		return false, rep.Error
	}
	return rep.Allowed, nil
}
