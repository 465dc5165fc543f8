package natsapi

import (
	"context"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/queries"
)

// BatchCheck answers many checks in request order (permledger.q.check-batch,
// POST /v1/check/batch). The batch waits for its min_seq once (a check's
// own min_seq is waited for too); a check that
// fails carries its own error (through wireError) and the others go on.
// observe, if set, sees every check.
func BatchCheck(ctx context.Context, qs *queries.Service, req api.BatchCheckRequest,
	observe func(bool, error, time.Duration), wireError func(string, error) *api.Error) (api.BatchCheckReply, error) {
	if len(req.Checks) > api.MaxBatchChecks {
		return api.BatchCheckReply{}, api.Errorf(api.CodeInvalidArgument, "%d checks: at most %d in one batch", len(req.Checks), api.MaxBatchChecks)
	}
	if err := qs.Wait(ctx, req.MinSeq); err != nil {
		return api.BatchCheckReply{}, err
	}
	out := api.BatchCheckReply{Results: make([]api.CheckReply, len(req.Checks))}
	for i, c := range req.Checks {
		start := time.Now()
		rep, err := Check(ctx, qs, c)
		if observe != nil {
			observe(rep.Allowed, err, time.Since(start))
		}
		rep.Error = wireError("check-batch", err)
		out.Results[i] = rep
	}
	return out, nil
}
