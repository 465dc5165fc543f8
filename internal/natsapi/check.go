package natsapi

import (
	"context"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/queries"
)

// Check answers an api.CheckRequest; the HTTP API shares it.
func Check(ctx context.Context, qs *queries.Service, req api.CheckRequest) (api.CheckReply, error) {
	q := queries.CheckRequest{User: req.User, Token: req.Token, Permission: req.Permission,
		Contexts: req.Contexts, MinSeq: req.MinSeq, AtSeq: req.AtSeq}
	if req.AtTime != "" {
		t, err := time.Parse(time.RFC3339Nano, req.AtTime)
		if err != nil {
			return api.CheckReply{}, api.Errorf(api.CodeInvalidArgument, "at_time %q is not RFC 3339", req.AtTime)
		}
		q.AtTime = t
	}
	res, err := qs.Check(ctx, q)
	if err != nil {
		return api.CheckReply{}, err
	}
	rep := api.CheckReply{Allowed: res.Decision.Allowed, Rule: res.Decision.Rule, Seq: res.Seq}
	if req.Explain {
		rep.Explanation = Explain(res.User, req, res.Decision)
	}
	return rep, nil
}

// Explain renders a decision for the wire.
func Explain(user string, req api.CheckRequest, d policy.Decision) *api.Explanation {
	e := &api.Explanation{User: user, Permission: req.Permission, Contexts: req.Contexts, Rule: d.Rule, Reason: d.Reason}
	if m := d.Match; m != nil {
		e.Match = &api.Match{Kind: m.Kind, Permission: m.Permission, Role: m.Role, Value: m.Value,
			Seq: m.Prov.Seq, Actor: m.Prov.Actor, CommandID: m.Prov.CommandID}
		if m.Context.Type != "" {
			e.Match.Context = m.Context.String()
		}
		if !m.Prov.Time.IsZero() {
			e.Match.Time = m.Prov.Time.Format(time.RFC3339Nano)
		}
	}
	return e
}
