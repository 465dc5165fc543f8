package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/natsapi"
)

// check serves POST /v1/check: an api.CheckRequest answered with an
// api.CheckReply, within the request deadline (a min_seq wait included).
func (s *server) check(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var req api.CheckRequest
	if ae := s.decode(w, r, &req); ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	rep, err := natsapi.Check(ctx, s.l.Queries, req)
	if s.cfg.ObserveCheck != nil {
		s.cfg.ObserveCheck(rep.Allowed, err, time.Since(start))
	}
	if err != nil {
		s.writeError(w, s.wireError("check", err))
		return
	}
	s.writeJSON(w, http.StatusOK, rep)
}
