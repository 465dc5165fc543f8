package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/permledger/permledger/internal/config"
	"github.com/permledger/permledger/internal/httpapi"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/metrics"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
	"github.com/permledger/permledger/readmodel"
)

// instance is a running serve: the ledger and what serves it.
type instance struct {
	l       *ledger.Ledger
	http    *http.Server
	httpErr chan error
	admin   *adminServer
}

// serve runs the instance until ctx is done or the HTTP server fails, then
// shuts down: HTTP first, then the admin socket, then the ledger.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, e *environ) error {
	inst, err := start(ctx, cfg, log)
	if err != nil {
		return err
	}
	natsURL := redactURLs(cfg.NATS.URL)
	if inst.l.Server != nil {
		natsURL = inst.l.Server.ClientURL()
	}
	httpURL := "http://" + inst.http.Addr
	log.Info("serving", "nats", natsURL, "http", httpURL, "data", cfg.Data, "sync", cfg.NATS.Sync, "replicas", cfg.NATS.Replicas, "feed", cfg.Feed)
	fmt.Fprintf(e.stdout, "permledger serving: nats=%s http=%s data=%s\n", natsURL, httpURL, cfg.Data)
	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "reason", context.Cause(ctx).Error())
	case runErr = <-inst.httpErr:
		log.Error("the HTTP server failed; shutting down", "error", runErr)
	}
	return errors.Join(runErr, inst.stop(log))
}

// start listens (HTTP, then the admin socket) before opening the ledger, so
// that a busy port or a data dir owned by another serve fails fast.
func start(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *instance, err error) {
	if err := os.MkdirAll(cfg.Data, 0o700); err != nil {
		return nil, err
	}
	httpLn, err := net.Listen("tcp", cfg.HTTP)
	if err != nil {
		return nil, fmt.Errorf("listening for HTTP: %w", err)
	}
	defer closeOnError(&err, httpLn)
	adminLn, err := listenAdmin(cfg.Data)
	if err != nil {
		return nil, err
	}
	defer closeOnError(&err, adminLn)
	reg := prometheus.NewRegistry()
	m := metrics.New(reg)
	lcfg, err := ledgerConfig(cfg, log, m)
	if err != nil {
		return nil, err
	}
	l, err := ledger.Open(ctx, lcfg)
	if err != nil {
		return nil, err
	}
	m.WatchLedger(l)
	inst := &instance{l: l, httpErr: make(chan error, 1), admin: newAdminServer(adminLn, l, log)}
	inst.http = newHTTPServer(httpLn.Addr().String(), httpapi.New(l, httpapi.Config{
		MaxLag: cfg.MaxLag, Gatherer: reg, Logger: log,
		ObserveCheck: func(allowed bool, err error, d time.Duration) {
			m.ObserveCheck(metrics.InterfaceHTTP, allowed, err, d)
		},
	}), log)
	go func() {
		inst.httpErr <- inst.http.Serve(httpLn)
		close(inst.httpErr) // a second receive (in stop) gets nil
	}()
	go inst.admin.serve()
	return inst, nil
}

func closeOnError(err *error, c interface{ Close() error }) {
	if *err != nil {
		_ = c.Close()
	}
}

func ledgerConfig(c config.Config, log *slog.Logger, m *metrics.Metrics) (ledger.Config, error) {
	host, port, _ := c.NATS.EmbeddedAddr()
	always := c.NATS.Sync == config.SyncAlways
	opts, err := c.NATS.Conn.Options()
	if err != nil {
		return ledger.Config{}, err
	}
	return ledger.Config{
		DataDir:     c.Data,
		NATSURL:     c.NATS.URL,
		NATSOptions: opts,
		Embedded:    natsserver.Config{Host: host, Port: port, SyncAlways: always},
		Stream:      natslog.Config{Replicas: c.NATS.Replicas},
		ReadModel:   readmodel.Options{Sync: always, Logger: log},
		BcryptCost:  c.BcryptCost,
		ServeAPI:    true,
		Logger:      log,
		Metrics:     m.Hooks(),
		Feed:        c.Feed,
	}, nil
}

func newHTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second, // beyond the API's 10s request deadline
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// stop shuts HTTP down gracefully, then the admin socket, then the ledger
// (which drains the NATS API, stops the projector, closes Pebble and the
// embedded server).
func (inst *instance) stop(log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	if err := inst.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("shutting down HTTP: %w", err))
	}
	if err := <-inst.httpErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	inst.admin.close()
	if err := inst.l.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the ledger: %w", err))
	}
	log.Info("stopped", "applied", inst.l.Store.Applied())
	return errors.Join(errs...)
}
