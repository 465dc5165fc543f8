package natsserver

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Defaults applied by Start when a Config field is left zero.
const (
	DefaultHost = "127.0.0.1"
	DefaultPort = 4222
)

// readyTimeout bounds how long Start waits for the server to accept clients.
const readyTimeout = 10 * time.Second

// Config describes one embedded nats-server with JetStream enabled.
type Config struct {
	StoreDir   string // JetStream store dir (required)
	Host       string // default "127.0.0.1" (loopback only unless configured)
	Port       int    // default 4222; -1 = random free port
	SyncAlways bool   // file store fsyncs every write instead of every 2 minutes
	MaxPayload int32  // 0 = server default (1 MiB)
	ServerName string // optional
}

// withDefaults returns cfg with zero fields replaced by their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Host == "" {
		cfg.Host = DefaultHost
	}
	if cfg.Port == 0 {
		cfg.Port = DefaultPort
	}
	return cfg
}

// validate reports the first problem with a defaulted Config.
func (cfg Config) validate() error {
	switch {
	case strings.TrimSpace(cfg.StoreDir) == "":
		return errors.New("natsserver: StoreDir is required")
	case strings.TrimSpace(cfg.Host) == "":
		return errors.New("natsserver: Host is empty")
	case cfg.Port < -1 || cfg.Port > 65535:
		return fmt.Errorf("natsserver: Port %d out of range (-1 for random, 1-65535)", cfg.Port)
	case cfg.MaxPayload < 0:
		return fmt.Errorf("natsserver: MaxPayload %d is negative", cfg.MaxPayload)
	}
	return nil
}

// options turns a defaulted, valid Config into nats-server options.
func (cfg Config) options() *server.Options {
	return &server.Options{
		ServerName: cfg.ServerName,
		Host:       cfg.Host,
		Port:       cfg.Port,
		MaxPayload: cfg.MaxPayload,
		JetStream:  true,
		StoreDir:   cfg.StoreDir,
		SyncAlways: cfg.SyncAlways,
		NoLog:      true,
		NoSigs:     true,
	}
}

// Start runs an in-process nats-server with JetStream enabled and returns it
// once it accepts client connections. The caller connects to s.ClientURL()
// and stops it with s.Shutdown() followed by s.WaitForShutdown().
func Start(cfg Config) (*server.Server, error) {
	return start(cfg, readyTimeout)
}

// start is Start with an explicit readiness timeout.
func start(cfg Config, ready time.Duration) (*server.Server, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return run(cfg.options(), ready)
}

// run creates and starts a server from opts and waits up to ready for it to
// accept clients. On failure the server is shut down before the error is
// returned. With NoLog set, the server's fatal errors (such as a busy port)
// do not exit the process; they surface here as a readiness timeout.
func run(opts *server.Options, ready time.Duration) (*server.Server, error) {
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("natsserver: new server: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(ready) {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("natsserver: server %q not ready for connections within %s", opts.ServerName, ready)
	}
	if !s.JetStreamEnabled() {
		s.Shutdown()
		s.WaitForShutdown()
		return nil, fmt.Errorf("natsserver: server %q started without JetStream", opts.ServerName)
	}
	return s, nil
}
