package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/permledger/permledger/api"
)

// query is a GET request's token (Authorization: Bearer TOKEN) and its
// query parameters, every one of them known to the route.
type query struct {
	token  string
	minSeq uint64
	params map[string]string
}

// readQuery reads the bearer token and the query string, refusing a
// parameter the route does not know, a repeated one, and a bad min_seq.
func readQuery(r *http.Request, known ...string) (query, *api.Error) {
	q := query{params: map[string]string{}}
	if auth := r.Header.Get("Authorization"); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			return q, api.Errorf(api.CodeUnauthenticated, "the Authorization header is not \"Bearer TOKEN\"")
		}
		q.token = strings.TrimSpace(token)
	}
	for name, values := range r.URL.Query() {
		if name != "min_seq" && !contains(known, name) {
			return q, api.Errorf(api.CodeInvalidArgument, "unknown query parameter %q", name)
		}
		if len(values) != 1 {
			return q, api.Errorf(api.CodeInvalidArgument, "query parameter %q given %d times", name, len(values))
		}
		q.params[name] = values[0]
	}
	var ae *api.Error
	q.minSeq, ae = q.uint("min_seq")
	return q, ae
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// uint parses an optional unsigned parameter.
func (q query) uint(name string) (uint64, *api.Error) {
	v, ok := q.params[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, api.Errorf(api.CodeInvalidArgument, "query parameter %s=%q is not an unsigned integer", name, v)
	}
	return n, nil
}

// answer writes a query's reply, or its error with the code's status.
func answer[Rep any](s *server, w http.ResponseWriter, op string, rep Rep, err error) {
	if err != nil {
		s.writeError(w, s.wireError(op, err))
		return
	}
	s.writeJSON(w, http.StatusOK, rep)
}

// deadline is the request's context bounded by the API's timeout.
func (s *server) deadline(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), s.cfg.Timeout)
}
