package natsapi

import (
	"context"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/queries"
)

// ExplainCheck answers a check with its explanation whatever req.Explain says
// (permledger.q.explain, POST /v1/explain). It needs no actor token, as a
// check with explain does not: it is a check that shows its reasons.
func ExplainCheck(ctx context.Context, qs *queries.Service, req api.CheckRequest,
	observe func(bool, error, time.Duration)) (api.CheckReply, error) {
	start := time.Now()
	req.Explain = true
	rep, err := Check(ctx, qs, req)
	if observe != nil {
		observe(rep.Allowed, err, time.Since(start))
	}
	return rep, err
}
