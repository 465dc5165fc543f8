package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/permledger/permledger/internal/config"
)

var serveUsage = usage{
	name:     "serve",
	synopsis: "[flags]",
	about: `Runs one permledger instance until SIGINT or SIGTERM: the NATS API
(commands on permledger.cmd.NAME, queries on permledger.q.*), the projector
that applies the JetStream log to the Pebble read model in DATA/readmodel,
the change feed (--feed), the HTTP API (/v1/..., /healthz, /readyz,
/metrics) and the admin socket DATA/admin.sock for local operator commands.
Without --nats-url it runs an embedded NATS server with JetStream, its
store in DATA/nats. Logs are JSON on stderr; one line on stdout says when it
is ready. On SIGTERM it stops taking requests, answers those in flight,
stops the projector (its checkpoint is in every batch) and drains NATS.

Settings come from, lowest first: the defaults, the JSON file --config
(env PERMLEDGER_CONFIG; keys as docs/configuration.md), environment
variables, flags. NATS secrets come only from the file or the environment:
PERMLEDGER_NATS_PASSWORD, PERMLEDGER_NATS_TOKEN.`,
	example: `permledger serve --data ./data --http 127.0.0.1:8080
permledger serve --config /etc/permledger.json
permledger serve --nats-url tls://n1:4222,tls://n2:4222 --nats-creds app.creds --nats-tls-ca ca.pem --replicas 3 --sync always`,
}

// shutdownTimeout bounds the HTTP server's graceful shutdown.
const shutdownTimeout = 10 * time.Second

func runServe(ctx context.Context, e *environ, args []string) error {
	path := configPath(args, e)
	cfg := config.Default()
	if path != "" {
		var err error
		if cfg, err = config.Load(path); err != nil {
			fmt.Fprintf(e.stderr, "permledger serve: %v\n", err)
			return usageError()
		}
	}
	fs := newFlagSet(e, serveUsage)
	fs.String("config", path, "JSON configuration `file` (env PERMLEDGER_CONFIG)")
	registerServe(fs, e, &cfg)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "permledger serve: %s\n", strings.ReplaceAll(err.Error(), "\n", "\npermledger serve: "))
		return usageError()
	}
	level, _ := cfg.Level()
	logger := slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	logger.Info("configuration", "config", cfg)
	return serve(ctx, cfg, logger, e)
}

// configPath finds --config FILE (or -config, or =FILE) before the flags
// are parsed, since the file sets the flags' defaults.
func configPath(args []string, e *environ) string {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "config" {
			continue
		}
		if hasValue {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return e.getenv("PERMLEDGER_CONFIG")
}

// registerServe registers serve's flags; each defaults to its environment
// variable if set, else to the file's value (or the default).
func registerServe(fs *flag.FlagSet, e *environ, c *config.Config) {
	fs.StringVar(&c.Data, "data", e.envOr("PERMLEDGER_DATA", c.Data), "data `dir`: read model, embedded JetStream store, admin socket (env PERMLEDGER_DATA)")
	fs.StringVar(&c.HTTP, "http", e.envOr("PERMLEDGER_HTTP", c.HTTP), "HTTP API listen `address` (port 0: any free port) (env PERMLEDGER_HTTP)")
	fs.IntVar(&c.BcryptCost, "bcrypt-cost", c.BcryptCost, "bcrypt `cost` of new password hashes (4-31)")
	fs.Uint64Var(&c.MaxLag, "max-lag", c.MaxLag, "/readyz answers 503 when the read model trails the log by more than this many `sequences`")
	fs.StringVar(&c.LogLevel, "log-level", e.envOr("PERMLEDGER_LOG_LEVEL", c.LogLevel), "`level`: debug, info, warn or error (env PERMLEDGER_LOG_LEVEL)")
	fs.BoolVar(&c.Feed, "feed", c.Feed, "publish the change feed (permledger.feed.*, feed/FEED.md)")
	registerNATS(fs, e, &c.NATS)
}

func registerNATS(fs *flag.FlagSet, e *environ, n *config.NATS) {
	fs.StringVar(&n.URL, "nats-url", e.envOr("PERMLEDGER_NATS_URL", n.URL), "external NATS `url`s, comma-separated; empty runs the embedded server (env PERMLEDGER_NATS_URL)")
	fs.Lookup("nats-url").DefValue = redactURLs(n.URL)
	fs.StringVar(&n.Listen, "nats-listen", n.Listen, "embedded NATS server listen `address` (port 0: any free port)")
	fs.StringVar(&n.Sync, "sync", n.Sync, "`mode`: default, or always = the embedded JetStream store fsyncs every write and Pebble every batch")
	fs.IntVar(&n.Replicas, "replicas", n.Replicas, "JetStream stream `replicas`: 1, or 3 with a --nats-url cluster")
	fs.StringVar(&n.User, "nats-user", e.envOr("PERMLEDGER_NATS_USER", n.User), "external NATS `user` (password: env PERMLEDGER_NATS_PASSWORD or the file)")
	n.Password = e.envOr("PERMLEDGER_NATS_PASSWORD", n.Password)
	n.Token = e.envOr("PERMLEDGER_NATS_TOKEN", n.Token)
	fs.StringVar(&n.NKeyFile, "nats-nkey", e.envOr("PERMLEDGER_NATS_NKEY", n.NKeyFile), "external NATS nkey seed `file` (env PERMLEDGER_NATS_NKEY)")
	fs.StringVar(&n.CredsFile, "nats-creds", e.envOr("PERMLEDGER_NATS_CREDS", n.CredsFile), "external NATS credentials `file` (env PERMLEDGER_NATS_CREDS)")
	fs.StringVar(&n.TLS.CAFile, "nats-tls-ca", e.envOr("PERMLEDGER_NATS_TLS_CA", n.TLS.CAFile), "CA certificates `file` to verify NATS servers (env PERMLEDGER_NATS_TLS_CA)")
	fs.StringVar(&n.TLS.CertFile, "nats-tls-cert", e.envOr("PERMLEDGER_NATS_TLS_CERT", n.TLS.CertFile), "client certificate `file` for mutual TLS (env PERMLEDGER_NATS_TLS_CERT)")
	fs.StringVar(&n.TLS.KeyFile, "nats-tls-key", e.envOr("PERMLEDGER_NATS_TLS_KEY", n.TLS.KeyFile), "client key `file` for mutual TLS (env PERMLEDGER_NATS_TLS_KEY)")
}
