package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/internal/httpapi"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// Subjects the serve process answers besides permledger's own API.
const (
	subjectEcho    = "bench.echo"        // the bare request/reply baseline
	subjectProfile = "bench.profile"     // "start PATH" / "stop": CPU profile; "heap PATH": heap profile
	subjectCompact = "bench.compactions" // "": the read model's compactions running and debt, "N BYTES"; "compact": CompactAll
)

// ready is the line `bench serve` prints on stdout once it serves.
type ready struct {
	NATS         string `json:"nats"`
	HTTP         string `json:"http"`
	HTTPBaseline string `json:"http_baseline"`
	PID          int    `json:"pid"`
}

// runServe is the server under test, run as a child process so that its
// resident memory is its own: a ledger (embedded JetStream, Pebble read
// model, NATS API) with the HTTP API, and beside it the baselines that must
// run in the same process: a bare net/http check handler and a bare NATS
// echo. It stops when stdin closes or ctx is done.
func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data `dir` of the ledger")
	cost := fs.Int("bcrypt-cost", 4, "bcrypt `cost` of new password hashes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("bench serve: --data is required")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	l, err := ledger.Open(ctx, ledger.Config{DataDir: *data, Embedded: natsserver.Config{Port: -1},
		BcryptCost: *cost, ServeAPI: true, Logger: logger})
	if err != nil {
		return err
	}
	defer l.Close()
	if _, err := ledger.RootUserCreate(ctx, l, adminUser, adminPassword); err != nil {
		return fmt.Errorf("bench serve: root-user-create: %w", err)
	}
	s := &server{l: l}
	defer s.close()
	if err := s.start(); err != nil {
		return err
	}
	b, _ := json.Marshal(ready{NATS: l.Server.ClientURL(), HTTP: s.httpURL, HTTPBaseline: s.baseURL, PID: os.Getpid()})
	fmt.Fprintf(stdout, "%s\n", b)
	waitForEnd(ctx, stdin)
	return l.ProjectorErr()
}

// waitForEnd returns when stdin reaches EOF (the parent went away or asked
// to stop) or ctx is done.
func waitForEnd(ctx context.Context, stdin io.Reader) {
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, stdin)
		close(done)
	}()
	select {
	case <-ctx.Done():
	case <-done:
	}
}

type server struct {
	l       *ledger.Ledger
	echo    *nats.Conn
	https   []*http.Server
	httpURL string
	baseURL string

	profMu sync.Mutex
	prof   *os.File
}

func (s *server) start() error {
	var err error
	if s.httpURL, err = s.listen(httpapi.New(s.l, httpapi.Config{})); err != nil {
		return err
	}
	if s.baseURL, err = s.listen(bareHandler()); err != nil {
		return err
	}
	if s.echo, err = nats.Connect(s.l.Server.ClientURL(), nats.Name("bench-echo"), nats.InProcessServer(s.l.Server)); err != nil {
		return err
	}
	if _, err := s.echo.Subscribe(subjectEcho, func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
		return err
	}
	if _, err := s.echo.Subscribe(subjectProfile, s.profile); err != nil {
		return err
	}
	if _, err := s.echo.Subscribe(subjectCompact, s.compactions); err != nil {
		return err
	}
	return s.echo.Flush()
}

// listen serves h on a free loopback port, with the same server settings
// for the API and the baseline.
func (s *server) listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	s.https = append(s.https, srv)
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

func (s *server) close() {
	for _, h := range s.https {
		_ = h.Close()
	}
	if s.echo != nil {
		s.echo.Close()
	}
	s.stopProfile()
}

// bareHandler is the HTTP baseline: a bare net/http handler that decodes the
// same request body and answers {"allowed":...} from a map.
func bareHandler() http.Handler {
	allowed := map[string]bool{}
	for _, p := range catalog.Default().Permissions() {
		allowed[p] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			User       string   `json:"user"`
			Permission string   `json:"permission"`
			Contexts   []string `json:"contexts"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := json.Marshal(struct {
			Allowed bool `json:"allowed"`
		}{allowed[req.Permission]})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(b, '\n'))
	})
}

// compactions answers the read model's compactions running and debt ("N
// BYTES"), or, asked "compact", compacts it all and answers "ok" (in a
// goroutine: the subscription goes on answering).
func (s *server) compactions(m *nats.Msg) {
	if string(m.Data) != "compact" {
		n, debt := s.l.Store.Compactions()
		_ = m.Respond(fmt.Appendf(nil, "%d %d", n, debt))
		return
	}
	go func() {
		reply := "ok"
		if err := s.l.Store.CompactAll(context.Background()); err != nil {
			reply = err.Error()
		}
		_ = m.Respond([]byte(reply))
	}()
}

// profile starts ("start PATH") or stops ("stop") a CPU profile of this
// process, so that the runner can profile one scenario at a time.
func (s *server) profile(m *nats.Msg) {
	cmd, path, _ := strings.Cut(string(m.Data), " ")
	var err error
	switch cmd {
	case "start":
		err = s.startProfile(path)
	case "stop":
		s.stopProfile()
	case "heap":
		err = writeHeapProfile(path)
	default:
		err = fmt.Errorf("unknown profile command %q", cmd)
	}
	reply := "ok"
	if err != nil {
		reply = err.Error()
	}
	_ = m.Respond([]byte(reply))
}

func (s *server) startProfile(path string) error {
	s.profMu.Lock()
	defer s.profMu.Unlock()
	if s.prof != nil {
		return errors.New("a profile is running")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	s.prof = f
	return nil
}

func (s *server) stopProfile() {
	s.profMu.Lock()
	defer s.profMu.Unlock()
	if s.prof != nil {
		pprof.StopCPUProfile()
		s.prof.Close()
		s.prof = nil
	}
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.WriteHeapProfile(f)
}
