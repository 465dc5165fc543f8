package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
)

// natsBlock is how many requests go to one side before switching to the
// other, so that noise on the shared machine hits both sides alike.
const natsBlock = 500

// natsScenario times one client's sequential requests: permledger.q.check
// versus a bare echo on the same server, in alternating blocks.
func (r *runner) natsScenario(ctx context.Context, c *child, d *dataset) error {
	nc, err := nats.Connect(c.ready.NATS, nats.Name("bench-nats-latency"))
	if err != nil {
		return err
	}
	defer nc.Close()
	reqs, want, _ := checkRequests(d, r.cfg.natsReqs, 2)
	var echo, check latencies
	for i := 0; i < len(reqs); i += natsBlock {
		block := reqs[i:min(i+natsBlock, len(reqs))]
		e, err := timeRequests(nc, subjectEcho, block, nil)
		if err != nil {
			return err
		}
		k, err := timeRequests(nc, api.SubjectCheck, block, want[i:])
		if err != nil {
			return err
		}
		echo, check = append(echo, e...), append(check, k...)
	}
	p50, p99 := row{figure: "NATS check latency p50, one client", value: fmtDur(check.p50()), baseline: fmtDur(echo.p50()),
		ratio: float64(check.p50()) / float64(echo.p50())}, row{figure: "NATS check latency p99, one client",
		value: fmtDur(check.p99()), baseline: fmtDur(echo.p99()), ratio: float64(check.p99()) / float64(echo.p99())}
	atMostRatio(&p50, 2)
	atMostRatio(&p99, 3)
	r.table.add(p50)
	r.table.add(p99)
	return nil
}

// timeRequests sends each request and waits for its reply; with want, the
// replies are check replies and must carry the expected answer.
func timeRequests(nc *nats.Conn, subject string, reqs [][]byte, want []bool) (latencies, error) {
	out := make(latencies, 0, len(reqs))
	for i, b := range reqs {
		start := time.Now()
		m, err := nc.Request(subject, b, 10*time.Second)
		out = append(out, time.Since(start))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", subject, err)
		}
		if want == nil {
			continue
		}
		var rep api.CheckReply
		if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error != nil || rep.Allowed != want[i] {
			return nil, fmt.Errorf("%s: request %s: reply %s, want allowed=%v", subject, b, m.Data, want[i])
		}
	}
	return out, nil
}
