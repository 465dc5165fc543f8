package httpapi

import (
	"context"
	"net/http"
	"time"
)

// readyTimeout bounds /readyz's read of the log's last sequence.
const readyTimeout = 2 * time.Second

// healthz answers 200 while the process serves HTTP at all.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeText(w, http.StatusOK, "ok")
}

// readyz answers 200 while the projector runs and the read model trails the
// log by at most MaxLag sequences; otherwise 503 with a one-line reason.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.l.ProjectorErr(); err != nil {
		writeText(w, http.StatusServiceUnavailable, "not ready: the projector stopped: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	last, err := s.l.Log.LastSeq(ctx)
	if err != nil {
		writeText(w, http.StatusServiceUnavailable, "not ready: reading the log's last sequence: %v", err)
		return
	}
	applied := s.l.Queries.Applied()
	if lag := last - min(applied, last); lag > s.cfg.MaxLag {
		writeText(w, http.StatusServiceUnavailable, "not ready: the read model trails the log by %d (applied %d, log %d, max lag %d)",
			lag, applied, last, s.cfg.MaxLag)
		return
	}
	writeText(w, http.StatusOK, "ready: applied %d, log %d", applied, last)
}
