package httpapi

import (
	"context"
	"net/http"

	"github.com/permledger/permledger/api"
)

// authenticate serves POST /v1/authenticate: an api.AuthenticateRequest
// answered with an api.AuthenticateReply; a bad token is 401.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) {
	var req api.AuthenticateRequest
	if ae := s.decode(w, r, &req); ae != nil {
		s.writeError(w, ae)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	u, seq, err := s.l.Queries.Authenticate(ctx, req.Token, req.MinSeq)
	if err != nil {
		s.writeError(w, s.wireError("authenticate", err))
		return
	}
	s.writeJSON(w, http.StatusOK, api.AuthenticateReply{User: u.Name, Admin: u.Admin, Seq: seq})
}
