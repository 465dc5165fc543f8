package natslog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

// startServer runs a JetStream server on a random port in a temp dir.
func startServer(t *testing.T, cfg natsserver.Config) *server.Server {
	t.Helper()
	if cfg.StoreDir == "" {
		cfg.StoreDir = t.TempDir()
	}
	if cfg.Port == 0 {
		cfg.Port = -1
	}
	s, err := natsserver.Start(cfg)
	if err != nil {
		t.Fatalf("natsserver.Start: %v", err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

// connect opens a client connection closed at test end.
func connect(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatalf("nats.Connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// testCtx is a context bounded well inside the test timeout.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openLog starts a server, connects and opens a log with cfg.
func openLog(t *testing.T, cfg natslog.Config) *natslog.Log {
	t.Helper()
	s := startServer(t, natsserver.Config{})
	nc := connect(t, s.ClientURL())
	l, err := natslog.Open(testCtx(t), nc, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

// mustAppend appends and fails the test on error or an unexpected seq.
func mustAppend(t *testing.T, l *natslog.Log, data string, expected uint64) uint64 {
	t.Helper()
	seq, err := l.Append(testCtx(t), []byte(data), "", expected, nil)
	if err != nil {
		t.Fatalf("Append(%q, expected %d): %v", data, expected, err)
	}
	if got, want := seq, expected+1; got != want {
		t.Fatalf("Append(%q) seq = %d, want %d", data, got, want)
	}
	return seq
}

// lastSeq returns the log's last sequence or fails the test.
func lastSeq(t *testing.T, l *natslog.Log) uint64 {
	t.Helper()
	seq, err := l.LastSeq(testCtx(t))
	if err != nil {
		t.Fatalf("LastSeq: %v", err)
	}
	return seq
}

// apiErrorCode returns the JetStream API error code in err's chain, or 0.
func apiErrorCode(err error) jetstream.ErrorCode {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode
	}
	return 0
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		<-tick.C
	}
}
