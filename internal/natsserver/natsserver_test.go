package natsserver

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func startTestServer(t *testing.T, cfg Config) *server.Server {
	t.Helper()
	s, err := Start(cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return s
}

func connect(t *testing.T, url string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, nats.MaxReconnects(0))
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

func TestStartServesJetStream(t *testing.T) {
	s := startTestServer(t, Config{
		StoreDir:   t.TempDir(),
		Port:       -1,
		SyncAlways: true,
		MaxPayload: 64 * 1024,
		ServerName: "single",
	})
	if got, want := s.Name(), "single"; got != want {
		t.Errorf("server name = %q, want %q", got, want)
	}
	if got, want := s.JetStreamConfig().SyncAlways, true; got != want {
		t.Errorf("SyncAlways = %v, want %v", got, want)
	}
	if !strings.HasPrefix(s.ClientURL(), "nats://127.0.0.1:") {
		t.Errorf("ClientURL = %q, want loopback", s.ClientURL())
	}
	nc := connect(t, s.ClientURL())
	if got, want := nc.MaxPayload(), int64(64*1024); got != want {
		t.Errorf("MaxPayload = %d, want %d", got, want)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		t.Fatalf("AccountInfo: %v", err)
	}
}

func TestStartDefaultsSyncOff(t *testing.T) {
	s := startTestServer(t, Config{StoreDir: t.TempDir(), Port: -1})
	if got, want := s.JetStreamConfig().SyncAlways, false; got != want {
		t.Errorf("SyncAlways = %v, want %v", got, want)
	}
	if got, want := s.JetStreamConfig().StoreDir != "", true; got != want {
		t.Errorf("StoreDir set = %v, want %v", got, want)
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{StoreDir: "x"}.withDefaults()
	if got, want := cfg.Host, "127.0.0.1"; got != want {
		t.Errorf("Host = %q, want %q", got, want)
	}
	if got, want := cfg.Port, 4222; got != want {
		t.Errorf("Port = %d, want %d", got, want)
	}
	if got, want := (Config{StoreDir: "x", Port: -1}).withDefaults().Port, -1; got != want {
		t.Errorf("Port -1 defaulted to %d, want %d", got, want)
	}
}

func TestStartRejectsInvalidConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no store dir":     {Port: -1},
		"blank store dir":  {StoreDir: "  ", Port: -1},
		"blank host":       {StoreDir: t.TempDir(), Host: "   ", Port: -1},
		"port too small":   {StoreDir: t.TempDir(), Port: -2},
		"port too large":   {StoreDir: t.TempDir(), Port: 70000},
		"negative payload": {StoreDir: t.TempDir(), Port: -1, MaxPayload: -1},
	} {
		t.Run(name, func(t *testing.T) {
			s, err := Start(cfg)
			if err == nil {
				s.Shutdown()
				t.Fatal("Start succeeded, want error")
			}
			if got, want := s == nil, true; got != want {
				t.Errorf("server nil = %v, want %v", got, want)
			}
		})
	}
}

func TestStartFailsOnPortInUse(t *testing.T) {
	s := startTestServer(t, Config{StoreDir: t.TempDir(), Port: -1})
	port := s.Addr().(*net.TCPAddr).Port
	s2, err := start(Config{StoreDir: t.TempDir(), Port: port}, 300*time.Millisecond)
	if err == nil {
		s2.Shutdown()
		t.Fatalf("Start on busy port %d succeeded, want error", port)
	}
	if got, want := s2 == nil, true; got != want {
		t.Errorf("server nil = %v, want %v", got, want)
	}
}
