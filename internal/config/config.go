package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/permledger/permledger/internal/strictjson"
)

// Config is everything `permledger serve` is told.
type Config struct {
	// Data holds the read model, the embedded JetStream store and the
	// admin socket.
	Data string `json:"data"`
	// HTTP is the HTTP API's listen address (port 0: any free port).
	HTTP string `json:"http"`
	// MaxLag is how many sequences the read model may trail the log while
	// /readyz still answers 200.
	MaxLag uint64 `json:"max_lag"`
	// BcryptCost is the cost of new password hashes (4-31).
	BcryptCost int `json:"bcrypt_cost"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"log_level"`
	// Feed runs the change feed (feed/FEED.md).
	Feed bool `json:"feed"`
	NATS NATS `json:"nats"`
}

// NATS is where the log lives: an external NATS (URL) or the embedded
// server (Listen), the stream's replicas and the storage sync mode.
type NATS struct {
	// URL lists external NATS servers, comma-separated; empty runs the
	// embedded server.
	URL string `json:"url"`
	// Listen is the embedded server's address (port 0: any free port).
	Listen string `json:"listen"`
	// Replicas of the JetStream stream: 1, or 3 on a cluster.
	Replicas int `json:"replicas"`
	// Sync is default or always (the embedded store fsyncs every write,
	// and Pebble every batch).
	Sync string `json:"sync"`
	// Conn is how to authenticate to an external NATS and its TLS.
	Conn
}

// Sync modes.
const (
	SyncDefault = "default"
	SyncAlways  = "always"
)

// Default is the configuration of a fresh local instance.
func Default() Config {
	return Config{
		Data:       "./data",
		HTTP:       "127.0.0.1:8080",
		MaxLag:     1000,
		BcryptCost: 10,
		LogLevel:   "info",
		Feed:       true,
		NATS:       NATS{Listen: "127.0.0.1:4222", Replicas: 1, Sync: SyncDefault},
	}
}

// Load reads a JSON configuration file over the defaults: keys it leaves
// out keep their default; an unknown key is an error.
func Load(path string) (Config, error) {
	c := Default()
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("reading the configuration: %w", err)
	}
	if err := strictjson.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("configuration %s: %w", path, err)
	}
	return c, nil
}

// Validate reports every problem at once, naming each offending value.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Data) == "" {
		errs = append(errs, errors.New("data: empty"))
	}
	if _, _, err := net.SplitHostPort(c.HTTP); err != nil {
		errs = append(errs, fmt.Errorf("http %q: %v", c.HTTP, err))
	}
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		errs = append(errs, fmt.Errorf("bcrypt_cost %d: want 4 to 31", c.BcryptCost))
	}
	if _, err := c.Level(); err != nil {
		errs = append(errs, fmt.Errorf("log_level %q: want debug, info, warn or error", c.LogLevel))
	}
	errs = append(errs, c.NATS.validate()...)
	return errors.Join(errs...)
}

func (n NATS) validate() []error {
	var errs []error
	if _, _, err := n.EmbeddedAddr(); n.URL == "" && err != nil {
		errs = append(errs, err)
	}
	if n.Sync != SyncDefault && n.Sync != SyncAlways {
		errs = append(errs, fmt.Errorf("nats.sync %q: want default or always", n.Sync))
	}
	switch {
	case n.Replicas != 1 && n.Replicas != 3:
		errs = append(errs, fmt.Errorf("nats.replicas %d: want 1 or 3", n.Replicas))
	case n.Replicas == 3 && n.URL == "":
		errs = append(errs, errors.New("nats.replicas 3 needs a NATS cluster (nats.url); the embedded server is a single node"))
	}
	if n.URL == "" && n.Conn.Configured() {
		errs = append(errs, errors.New("nats credentials and TLS apply to an external NATS (nats.url); the embedded server takes none"))
	}
	return append(errs, n.Conn.Validate()...)
}

// Level is LogLevel as a slog level.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.LogLevel))
	return l, err
}

// EmbeddedAddr is Listen as the embedded server's host and port (-1: a
// random port).
func (n NATS) EmbeddedAddr() (string, int, error) {
	host, p, err := net.SplitHostPort(n.Listen)
	if err != nil {
		return "", 0, fmt.Errorf("nats.listen %q: %v", n.Listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("nats.listen %q: bad port", n.Listen)
	}
	if port == 0 {
		port = -1
	}
	return host, port, nil
}

// LogValue is the configuration without its secrets.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("data", c.Data), slog.String("http", c.HTTP), slog.Uint64("max_lag", c.MaxLag),
		slog.Int("bcrypt_cost", c.BcryptCost), slog.String("log_level", c.LogLevel), slog.Bool("feed", c.Feed),
		slog.Any("nats", c.NATS))
}

// LogValue is the NATS settings without their secrets (it would otherwise
// be the embedded Conn's alone).
func (n NATS) LogValue() slog.Value {
	return slog.GroupValue(slog.String("url", RedactURLs(n.URL)), slog.String("listen", n.Listen),
		slog.Int("replicas", n.Replicas), slog.String("sync", n.Sync), slog.Any("conn", n.Conn))
}
