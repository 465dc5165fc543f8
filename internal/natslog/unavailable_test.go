package natslog_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

// appendAfterShutdown stops the server behind a log opened with connOpts and
// returns the error and duration of a 2s-deadline Append.
func appendAfterShutdown(t *testing.T, connOpts ...nats.Option) (error, time.Duration) {
	t.Helper()
	s := startServer(t, natsserver.Config{})
	nc := connect(t, s.ClientURL(), connOpts...)
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustAppend(t, l, "before", 0)
	s.Shutdown()
	s.WaitForShutdown()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	began := time.Now()
	_, err = l.Append(ctx, []byte("after"), "", 1, nil)
	return err, time.Since(began)
}

func TestAppendUnavailableWhileReconnecting(t *testing.T) {
	err, took := appendAfterShutdown(t, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if !errors.Is(err, natslog.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if took > 3*time.Second {
		t.Errorf("Append took %s, want within the 2s deadline", took)
	}
	t.Logf("reconnecting: %v after %s", err, took)
}

func TestAppendUnavailableWhenClosed(t *testing.T) {
	err, took := appendAfterShutdown(t, nats.MaxReconnects(1), nats.ReconnectWait(10*time.Millisecond))
	if !errors.Is(err, natslog.ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if took > 3*time.Second {
		t.Errorf("Append took %s, want within the 2s deadline", took)
	}
	t.Logf("closed: %v after %s", err, took)
}

func TestReadReturnsUnavailableWhenConnectionCloses(t *testing.T) {
	s := startServer(t, natsserver.Config{})
	nc := connect(t, s.ClientURL(), nats.MaxReconnects(0))
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	appendN(t, l, 1)
	r := startReader(t, l, 1)
	r.expect(t, 1)
	s.Shutdown()
	select {
	case err := <-r.done:
		if !errors.Is(err, natslog.ErrUnavailable) {
			t.Errorf("Read = %v, want ErrUnavailable", err)
		}
		r.done <- err
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return after the connection closed")
	}
}

// TestReadSurvivesServerRestart restarts the server on the same port and
// store: Read reconnects and continues after the last delivered entry.
func TestReadSurvivesServerRestart(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, natsserver.Config{StoreDir: dir})
	port := s.Addr().(*net.TCPAddr).Port
	reconnected := make(chan struct{}, 1)
	nc := connect(t, s.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond),
		nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	appendN(t, l, 2)
	r := startReader(t, l, 1)
	r.expect(t, 1, 2)

	s.Shutdown()
	s.WaitForShutdown()
	startServer(t, natsserver.Config{StoreDir: dir, Port: port})
	// IsConnected may still be true before the client notices the old
	// server is gone, so wait for the reconnect itself.
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("client did not reconnect")
	}
	appendN(t, l, 2)
	r.expect(t, 3, 4)
}

// TestReadStartedDuringOutage starts Read while the server is down, with the
// client's reconnect buffer off so every request fails at once: Read retries
// with backoff and delivers once the server is back.
func TestReadStartedDuringOutage(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, natsserver.Config{StoreDir: dir})
	port := s.Addr().(*net.TCPAddr).Port
	disconnected := make(chan struct{}, 1)
	nc := connect(t, s.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(20*time.Millisecond),
		nats.ReconnectBufSize(-1),
		nats.DisconnectErrHandler(func(*nats.Conn, error) { disconnected <- struct{}{} }))
	l, err := natslog.Open(testCtx(t), nc, natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	appendN(t, l, 2)
	s.Shutdown()
	s.WaitForShutdown()
	select {
	case <-disconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("client did not notice the shutdown")
	}

	r := startReader(t, l, 1)
	if _, err := l.Append(testCtx(t), []byte("m3"), "", 2, nil); !errors.Is(err, natslog.ErrUnavailable) {
		t.Fatalf("Append during outage: err = %v, want ErrUnavailable", err)
	}
	startServer(t, natsserver.Config{StoreDir: dir, Port: port})
	r.expect(t, 1, 2)
}
