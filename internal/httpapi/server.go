package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/internal/errmap"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/strictjson"
)

// Defaults applied by New when a Config field is left zero.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxLag       = 1000
)

// Config tunes the HTTP API.
type Config struct {
	// Timeout bounds one request, a min_seq wait included (default 10s).
	Timeout time.Duration
	// MaxBodyBytes limits a request body (default 1 MiB).
	MaxBodyBytes int64
	// MaxLag is how far (in log sequences) the read model may trail the
	// log while /readyz still answers 200 (0: 1000).
	MaxLag uint64
	// Gatherer is served on /metrics (nil: no /metrics route).
	Gatherer prometheus.Gatherer
	// ObserveCheck, if set, is called for every check with its latency.
	ObserveCheck func(allowed bool, err error, d time.Duration)
	Logger       *slog.Logger
}

func (cfg Config) withDefaults() Config {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxLag == 0 {
		cfg.MaxLag = DefaultMaxLag
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

type server struct {
	l   *ledger.Ledger
	cfg Config
}

// route is one served method and path (a net/http pattern).
type route struct {
	method, path string
	handler      http.HandlerFunc
}

// routes lists every route; docs/openapi.json documents each (a test
// holds them to each other).
func (s *server) routes() []route {
	rs := []route{
		{"POST", "/v1/check", s.check},
		{"POST", "/v1/check/batch", s.batchCheck},
		{"POST", "/v1/explain", s.explain},
		{"POST", "/v1/authenticate", s.authenticate},
		{"GET", "/v1/roles", s.roleList},
		{"GET", "/v1/roles/{name}", s.roleInfo},
		{"GET", "/v1/permissions", s.permissionList},
		{"GET", "/v1/users", s.userList},
		{"GET", "/v1/users/{name}/permissions", s.permsView},
		{"GET", "/v1/users/{name}/history", s.history},
		{"GET", "/healthz", s.healthz},
		{"GET", "/readyz", s.readyz},
	}
	if s.cfg.Gatherer != nil {
		h := promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{})
		rs = append(rs, route{"GET", "/metrics", h.ServeHTTP})
	}
	return rs
}

// New returns the API's handler for an open ledger.
func New(l *ledger.Ledger, cfg Config) http.Handler {
	s := &server{l: l, cfg: cfg.withDefaults()}
	mux := http.NewServeMux()
	for _, r := range s.routes() {
		mux.HandleFunc(r.method+" "+r.path, r.handler)
	}
	return s.logged(mux)
}

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error *api.Error `json:"error"`
}

// decode reads a request body strictly (strictjson: unknown fields, keys in
// another case, duplicate keys, trailing data) within the body limit; any
// failure is invalid_argument.
func (s *server) decode(w http.ResponseWriter, r *http.Request, v any) *api.Error {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	b, err := io.ReadAll(body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return api.Errorf(api.CodeInvalidArgument, "request body exceeds %d bytes", tooBig.Limit)
	}
	if err != nil {
		return api.Errorf(api.CodeInvalidArgument, "reading the request body: %v", err)
	}
	if err := strictjson.Unmarshal(b, v); err != nil {
		return api.Errorf(api.CodeInvalidArgument, "malformed request: %v", err)
	}
	return nil
}

// wireError maps err to its wire form, logging internal errors (their text
// is never sent).
func (s *server) wireError(op string, err error) *api.Error {
	ae := errmap.ToAPI(err)
	if ae != nil && ae.Code == api.CodeInternal {
		s.cfg.Logger.Error("httpapi: internal error", "op", op, "error", err)
	}
	return ae
}

func (s *server) writeError(w http.ResponseWriter, ae *api.Error) {
	s.writeJSON(w, errmap.HTTPStatus(ae.Code), errorBody{Error: ae})
}

func (s *server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.cfg.Logger.Error("httpapi: encoding a reply", "error", err)
		http.Error(w, `{"error":{"code":"internal","message":"internal error"}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeText(w http.ResponseWriter, status int, format string, args ...any) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, format+"\n", args...)
}
