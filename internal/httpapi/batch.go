package httpapi

import (
	"net/http"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/natsapi"
)

// batchCheck serves POST /v1/check/batch: an api.BatchCheckRequest
// answered in order; a check that fails carries its own error in its
// result, and the answer is 200 still.
func (s *server) batchCheck(w http.ResponseWriter, r *http.Request) {
	var req api.BatchCheckRequest
	if ae := s.decode(w, r, &req); ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.BatchCheck(ctx, s.l.Queries, req, s.cfg.ObserveCheck, s.wireError)
	answer(s, w, "check-batch", rep, err)
}

// explain serves POST /v1/explain: an api.CheckRequest answered with its
// explanation (as /v1/check with "explain": true).
func (s *server) explain(w http.ResponseWriter, r *http.Request) {
	var req api.CheckRequest
	if ae := s.decode(w, r, &req); ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := s.deadline(r)
	defer cancel()
	rep, err := natsapi.ExplainCheck(ctx, s.l.Queries, req, s.cfg.ObserveCheck)
	answer(s, w, "explain", rep, err)
}
