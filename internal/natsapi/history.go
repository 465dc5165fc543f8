package natsapi

import (
	"context"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/queries"
)

// History answers permledger.q.history and GET /v1/users/{name}/history.
// log nil: the ledger cannot read its log here (unavailable).
func History(ctx context.Context, qs *queries.Service, log queries.LogReader, req api.HistoryRequest) (api.HistoryReply, error) {
	q := queries.HistoryQuery{Token: req.Token, User: req.User, FromSeq: req.FromSeq, ToSeq: req.ToSeq, MinSeq: req.MinSeq}
	var err error
	if q.FromTime, err = parseTime("from_time", req.FromTime); err != nil {
		return api.HistoryReply{}, err
	}
	if q.ToTime, err = parseTime("to_time", req.ToTime); err != nil {
		return api.HistoryReply{}, err
	}
	if log == nil {
		return api.HistoryReply{}, api.Errorf(api.CodeUnavailable, "this server cannot read the log for history")
	}
	entries, seq, err := qs.UserHistory(ctx, log, q)
	if err != nil {
		return api.HistoryReply{}, err
	}
	rep := api.HistoryReply{User: req.User, Entries: make([]api.HistoryEntry, 0, len(entries)), Seq: seq}
	for _, e := range entries {
		rep.Entries = append(rep.Entries, api.HistoryEntry{Seq: e.Seq, Time: e.Time.UTC().Format(time.RFC3339Nano),
			Actor: e.Actor, CommandID: e.CommandID, RunID: e.RunID, Type: e.Type, Via: e.Via, Data: e.Data})
	}
	return rep, nil
}

// parseTime parses an optional RFC 3339 time field.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, api.Errorf(api.CodeInvalidArgument, "%s %q is not an RFC 3339 time", field, s)
	}
	return t, nil
}
