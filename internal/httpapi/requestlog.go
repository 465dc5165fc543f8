package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"
)

// requestIDHeader carries a request id: the client's, when it sends a
// usable one, else one the server makes; the answer always carries it.
const requestIDHeader = "X-Request-Id"

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// logged gives every request an id and logs it when answered: method,
// route, status, duration and id, never a body or a header's value (tokens
// travel there). Errors log at info, the rest at debug.
func (s *server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get(requestIDHeader))
		w.Header().Set(requestIDHeader, id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 400 {
			level = slog.LevelInfo
		}
		s.cfg.Logger.Log(r.Context(), level, "http request", "method", r.Method, "route", r.Pattern,
			"status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", id)
	})
}

// requestID keeps a client's id made of at most 64 letters, digits, '-',
// '_' and '.', or makes a new one.
func requestID(given string) string {
	if given != "" && len(given) <= 64 && idChars(given) {
		return given
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func idChars(s string) bool {
	for _, c := range s {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}
