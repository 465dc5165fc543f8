package ledger

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/feed"
	"github.com/permledger/permledger/internal/natsapi"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
	"github.com/permledger/permledger/internal/noopkv"
	"github.com/permledger/permledger/projector"
	"github.com/permledger/permledger/queries"
	"github.com/permledger/permledger/readmodel"
)

// Config says how to open a ledger.
type Config struct {
	// DataDir holds the read model (DataDir/readmodel) and, with the
	// embedded server, the JetStream store (DataDir/nats).
	DataDir string
	// NATSURL points at an external NATS server or cluster; empty starts
	// the embedded server.
	NATSURL string
	// NATSOptions are extra client options (credentials, TLS).
	NATSOptions []nats.Option
	// Embedded configures the embedded server (StoreDir is set from DataDir).
	Embedded natsserver.Config
	// Stream configures the log's stream.
	Stream natslog.Config
	// ReadModel tunes Pebble.
	ReadModel readmodel.Options
	// BcryptCost is the password hashing cost (0: bcrypt's default, 10).
	BcryptCost int
	// ServeAPI subscribes the NATS API (off for a local operator command).
	ServeAPI bool
	// Catalog is the catalog to record in force (nil: the built-in one).
	Catalog *catalog.Catalog
	Logger  *slog.Logger
	// Metrics receives instrumentation hooks (may be nil).
	Metrics *Metrics
	// Feed runs the change feed projector (feed package).
	Feed bool
}

// Ledger is one running instance.
type Ledger struct {
	cfg       Config
	Server    *server.Server // nil with an external NATS
	Conn      *nats.Conn
	Log       *natslog.Log
	Store     *readmodel.Store
	Commands  *commands.Handler
	Queries   *queries.Service
	API       *natsapi.Server
	projector *projector.Projector
	noops     *noopkv.Records
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	projErr   atomic.Pointer[error]
	closeOnce sync.Once
}

// Open starts a ledger and returns once its read model has caught up with
// the log and the catalog in force is recorded.
func Open(ctx context.Context, cfg Config) (_ *Ledger, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Catalog == nil {
		cfg.Catalog = catalog.Default()
	}
	if cfg.DataDir == "" {
		return nil, errors.New("ledger: a data directory is required")
	}
	l := &Ledger{cfg: cfg}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	if err := l.connect(); err != nil {
		return nil, err
	}
	if l.Log, err = natslog.Open(ctx, l.Conn, cfg.Stream); err != nil {
		return nil, fmt.Errorf("ledger: opening the log: %w", err)
	}
	if l.noops, err = noopkv.Open(ctx, l.Conn, l.Log.Stream().CachedInfo().Config.Name, l.cfg.Stream.Replicas, l.cfg.Logger); err != nil {
		return nil, fmt.Errorf("ledger: opening the no-op records: %w", err)
	}
	if err := l.openReadModel(ctx); err != nil {
		return nil, err
	}
	return l, l.start(ctx)
}

func (l *Ledger) connect() error {
	url := l.cfg.NATSURL
	if url == "" {
		ec := l.cfg.Embedded
		ec.StoreDir = filepath.Join(l.cfg.DataDir, "nats")
		s, err := natsserver.Start(ec)
		if err != nil {
			return fmt.Errorf("ledger: starting the embedded NATS server: %w", err)
		}
		l.Server, url = s, s.ClientURL()
	}
	opts := append([]nats.Option{nats.Name("permledger"), nats.MaxReconnects(-1)}, l.cfg.NATSOptions...)
	if l.Server != nil {
		// The embedded server is reached in process, not over loopback
		// TCP: a command's append, its delivery to the projector and its
		// reply each skip a socket (issue 7).
		opts = append(opts, nats.InProcessServer(l.Server))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("ledger: connecting to NATS at %s: %w", url, err)
	}
	l.Conn = nc
	return nil
}

func (l *Ledger) openReadModel(ctx context.Context) error {
	dir := readModelDir(l.cfg.DataDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	st, err := readmodel.Open(dir, l.cfg.ReadModel)
	if err != nil {
		return err
	}
	if st, err = l.distrustAhead(ctx, st, dir); err != nil {
		return err
	}
	l.Store = st
	l.projector = projector.New(l.Log, st, projector.Config{Logger: l.cfg.Logger, Observe: l.cfg.Metrics.observeApply})
	if err := l.projector.CatchUp(ctx, 0); err != nil {
		return fmt.Errorf("ledger: catching up with the log: %w", err)
	}
	return nil
}

// distrustAhead refuses a read model that has applied more than the log
// holds (a power loss took the log's tail with --sync default, or an older
// JetStream backup was restored): the log is the truth, so the read model is
// set aside (kept beside it for inspection) and rebuilt from the log.
func (l *Ledger) distrustAhead(ctx context.Context, st *readmodel.Store, dir string) (*readmodel.Store, error) {
	last, err := l.Log.LastSeq(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("ledger: reading the log's last sequence: %w", err)
	}
	if st.Applied() <= last {
		return st, nil
	}
	applied := st.Applied()
	if err := st.Close(); err != nil {
		return nil, err
	}
	aside := fmt.Sprintf("%s.ahead-%d", dir, time.Now().Unix())
	if err := os.Rename(dir, aside); err != nil {
		return nil, fmt.Errorf("ledger: setting aside a read model ahead of the log: %w", err)
	}
	l.cfg.Logger.Error("the read model was ahead of the log; rebuilding it from the log",
		"applied", applied, "log_last", last, "set_aside", aside)
	return readmodel.Open(dir, l.cfg.ReadModel)
}

func (l *Ledger) start(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if err := l.projector.Run(runCtx); err != nil {
			l.projErr.Store(&err)
			l.cfg.Logger.Error("projector stopped", "error", err)
		}
	}()
	l.Commands = commands.NewHandler(logAdapter{l.Log}, l.Store, commands.Config{
		Hasher: commands.Hasher{Cost: l.cfg.BcryptCost}, Logger: l.cfg.Logger, Observe: l.cfg.Metrics.observeCommand,
		Noops: l.noops})
	l.Queries = queries.New(l.Store)
	if err := l.recordCatalog(ctx); err != nil {
		return err
	}
	if l.cfg.Feed {
		if err := l.startFeed(ctx, runCtx); err != nil {
			return err
		}
	}
	if !l.cfg.ServeAPI {
		return nil
	}
	api, err := natsapi.Start(l.Conn, l.Commands, l.Queries, natsapi.Config{Logger: l.cfg.Logger,
		StreamSeq: l.Log.LastSeq, ObserveCheck: l.cfg.Metrics.observeCheck("nats"), History: l.LogReader()})
	l.API = api
	return err
}

func (l *Ledger) startFeed(ctx, runCtx context.Context) error {
	f, err := feed.Open(ctx, l.Conn, l.Log, l.Store, l.cfg.Stream.Replicas, l.cfg.Logger)
	if err != nil {
		return err
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		_ = f.Run(runCtx)
	}()
	return nil
}

// recordCatalog appends the catalog in force if the log does not hold it yet.
func (l *Ledger) recordCatalog(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := l.Commands.RecordCatalog(ctx, l.cfg.Catalog); err != nil {
		return fmt.Errorf("ledger: recording the catalog: %w", err)
	}
	return nil
}

// ProjectorErr is the error that stopped the projector, if any.
func (l *Ledger) ProjectorErr() error {
	if p := l.projErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Close stops the API (answering in-flight requests), the projector, the
// read model, the connection and the embedded server, in that order.
func (l *Ledger) Close() error {
	var err error
	l.closeOnce.Do(func() {
		if l.API != nil {
			l.API.Drain()
		}
		if l.cancel != nil {
			l.cancel()
		}
		l.wg.Wait()
		if l.noops != nil {
			l.noops.Close()
		}
		if l.Conn != nil {
			_ = l.Conn.Drain()
			l.Conn.Close()
		}
		if l.Store != nil {
			err = l.Store.Close()
		}
		if l.Server != nil {
			l.Server.Shutdown()
			l.Server.WaitForShutdown()
		}
	})
	return err
}
