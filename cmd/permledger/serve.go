package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"
)

// serveConfig is everything `permledger serve` is told.
type serveConfig struct {
	data       string
	httpAddr   string
	natsURL    string
	natsListen string
	bcryptCost int
	sync       string
	replicas   int
	maxLag     uint64
	logLevel   string
}

var serveUsage = usage{
	name:     "serve",
	synopsis: "[flags]",
	about: `Runs one permledger instance until SIGINT or SIGTERM: the NATS API
(commands on permledger.cmd.NAME, queries on permledger.q.*), the projector
that applies the JetStream log to the Pebble read model in DATA/readmodel,
the HTTP API (POST /v1/check, POST /v1/authenticate, GET /healthz, /readyz,
/metrics) and the admin socket DATA/admin.sock for local operator commands.
Without --nats-url it runs an embedded NATS server with JetStream, its
store in DATA/nats. Logs are JSON on stderr; one line on stdout says when it
is ready.`,
	example: `permledger serve --data ./data --http 127.0.0.1:8080
permledger serve --nats-url nats://n1:4222,nats://n2:4222 --replicas 3 --sync always`,
}

func (c *serveConfig) register(fs *flag.FlagSet, e *environ) {
	fs.StringVar(&c.data, "data", e.envOr("PERMLEDGER_DATA", "./data"), "data `dir`: read model, embedded JetStream store, admin socket (env PERMLEDGER_DATA)")
	fs.StringVar(&c.httpAddr, "http", e.envOr("PERMLEDGER_HTTP", "127.0.0.1:8080"), "HTTP API listen `address` (port 0: any free port) (env PERMLEDGER_HTTP)")
	fs.StringVar(&c.natsURL, "nats-url", e.getenv("PERMLEDGER_NATS_URL"), "external NATS `url`s, comma-separated; empty runs the embedded server (env PERMLEDGER_NATS_URL)")
	fs.StringVar(&c.natsListen, "nats-listen", "127.0.0.1:4222", "embedded NATS server listen `address` (port 0: any free port)")
	fs.IntVar(&c.bcryptCost, "bcrypt-cost", 10, "bcrypt `cost` of new password hashes (4-31)")
	fs.StringVar(&c.sync, "sync", "default", "`mode`: default, or always = the embedded JetStream store fsyncs every write and Pebble every batch")
	fs.IntVar(&c.replicas, "replicas", 1, "JetStream stream `replicas`: 1, or 3 with a --nats-url cluster")
	fs.Uint64Var(&c.maxLag, "max-lag", 1000, "/readyz answers 503 when the read model trails the log by more than this many `sequences`")
	fs.StringVar(&c.logLevel, "log-level", "info", "`level`: debug, info, warn or error")
}

// validate reports every problem at once.
func (c *serveConfig) validate() error {
	var errs []error
	if c.data == "" {
		errs = append(errs, errors.New("--data is empty"))
	}
	if _, _, err := net.SplitHostPort(c.httpAddr); err != nil {
		errs = append(errs, fmt.Errorf("--http %q: %v", c.httpAddr, err))
	}
	if _, _, err := c.embeddedAddr(); c.natsURL == "" && err != nil {
		errs = append(errs, err)
	}
	if c.bcryptCost < 4 || c.bcryptCost > 31 {
		errs = append(errs, fmt.Errorf("--bcrypt-cost %d: want 4 to 31", c.bcryptCost))
	}
	if c.sync != "default" && c.sync != "always" {
		errs = append(errs, fmt.Errorf("--sync %q: want default or always", c.sync))
	}
	switch {
	case c.replicas != 1 && c.replicas != 3:
		errs = append(errs, fmt.Errorf("--replicas %d: want 1 or 3", c.replicas))
	case c.replicas == 3 && c.natsURL == "":
		errs = append(errs, errors.New("--replicas 3 needs a NATS cluster (--nats-url); the embedded server is a single node"))
	}
	if _, err := c.level(); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: %v", c.logLevel, err))
	}
	return errors.Join(errs...)
}

// embeddedAddr is --nats-listen as the embedded server's host and port
// (-1: a random port).
func (c *serveConfig) embeddedAddr() (string, int, error) {
	host, p, err := net.SplitHostPort(c.natsListen)
	if err != nil {
		return "", 0, fmt.Errorf("--nats-listen %q: %v", c.natsListen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("--nats-listen %q: bad port", c.natsListen)
	}
	if port == 0 {
		port = -1
	}
	return host, port, nil
}

func (c *serveConfig) level() (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(c.logLevel))
	return l, err
}

func runServe(ctx context.Context, e *environ, args []string) error {
	var cfg serveConfig
	fs := newFlagSet(e, serveUsage)
	cfg.register(fs, e)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintf(e.stderr, "permledger serve: %v\n", err)
		return usageError()
	}
	level, _ := cfg.level()
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	return serve(ctx, cfg, logger, e)
}

// shutdownTimeout bounds the HTTP server's graceful shutdown.
const shutdownTimeout = 10 * time.Second
