package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/errmap"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/strictjson"
)

// The admin socket is serve's local path for operator commands: a unix
// socket DATA/admin.sock, mode 0600, never offered over the network. One
// JSON adminRequest per connection, answered with JSON lines (adminFrame):
// progress lines, then one final line with the result or the error.
const (
	adminSocketName = "admin.sock"
	adminMaxRequest = 64 << 10
	// adminTimeout bounds a connection's silence: each progress line
	// extends it.
	adminTimeout = 60 * time.Second
	// maxSocketPath is the shortest sun_path limit of the supported
	// systems (104 bytes on macOS and the BSDs, 108 on Linux), less the NUL.
	maxSocketPath = 103
)

type adminRequest struct {
	Command string          `json:"command"`
	Args    json.RawMessage `json:"args"`
}

// adminFrame is one line of an answer: progress ("applied N/M"), or the
// last line, with the result (the command's JSON) or the error.
type adminFrame struct {
	Progress string          `json:"progress,omitempty"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    *api.Error      `json:"error,omitempty"`
}

func adminSocketPath(data string) string { return filepath.Join(data, adminSocketName) }

// listenAdmin listens on DATA/admin.sock. A socket left by a serve that
// died is removed; one that answers belongs to a live serve: an error.
func listenAdmin(data string) (net.Listener, error) {
	path := adminSocketPath(data)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the admin socket path %s is longer than %d bytes, the system's limit: use a shorter --data", path, maxSocketPath)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another permledger serve owns %s (its admin socket %s answers)", data, path)
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSocket == 0 {
		return nil, fmt.Errorf("%s exists and is not a socket; remove it", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("removing a stale admin socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listening on the admin socket: %w", err)
	}
	// DATA is created 0700, so the socket is private from birth where serve
	// made DATA; chmod closes the gap where it did not.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("restricting the admin socket: %w", err)
	}
	return ln, nil
}

// adminServer answers admin socket connections against an open ledger.
type adminServer struct {
	ln     net.Listener
	l      *ledger.Ledger
	log    *slog.Logger
	wg     sync.WaitGroup
	ctx    context.Context // cancelled by close: a replay in flight stops
	cancel context.CancelFunc
}

func newAdminServer(ln net.Listener, l *ledger.Ledger, log *slog.Logger) *adminServer {
	ctx, cancel := context.WithCancel(context.Background())
	return &adminServer{ln: ln, l: l, log: log, ctx: ctx, cancel: cancel}
}

// serve accepts until close.
func (a *adminServer) serve() {
	for {
		conn, err := a.ln.Accept()
		if err != nil {
			return
		}
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			a.handle(conn)
		}()
	}
}

// close stops accepting (removing the socket file), stops the commands in
// flight and waits for them.
func (a *adminServer) close() {
	_ = a.ln.Close()
	a.cancel()
	a.wg.Wait()
}

func (a *adminServer) handle(conn net.Conn) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(adminTimeout))
	enc := json.NewEncoder(conn)
	var req adminRequest
	var result any
	err := decodeStrict(conn, &req)
	if err != nil {
		err = api.Errorf(api.CodeInvalidArgument, "malformed admin request: %v", err)
	} else {
		result, err = a.execute(req, func(line string) {
			_ = conn.SetDeadline(time.Now().Add(adminTimeout))
			_ = enc.Encode(adminFrame{Progress: line})
		})
	}
	last := adminFrame{Error: errmap.ToAPI(err)}
	if err == nil {
		last.Result, _ = json.Marshal(result)
	}
	if err := enc.Encode(last); err != nil {
		a.log.Warn("admin socket: reply not delivered", "command", req.Command, "error", err)
	}
}

// execute runs one operator command, logging it (never a password).
func (a *adminServer) execute(req adminRequest, progress func(string)) (any, error) {
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	start := time.Now()
	var result any
	var err error
	switch req.Command {
	case commands.RootUserCreateName:
		result, err = a.rootUserCreate(ctx, req)
	case replayCommand:
		result, err = replayOn(ctx, a.l, progress)
	case verifyCommand:
		result, err = verifyOn(ctx, a.l, req.Args, progress)
	case compactCommand:
		result, err = compactOn(ctx, a.l, progress)
	case migrateCommand:
		result, err = migrateOn(ctx, a.l, req.Args, progress)
	default:
		return nil, api.Errorf(api.CodeInvalidArgument, "unknown admin command %q", req.Command)
	}
	d := float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		a.log.Warn("admin command failed", "command", req.Command, "duration_ms", d, "error", errmap.ToAPI(err).Error())
		return nil, err
	}
	a.log.Info("admin command", "command", req.Command, "duration_ms", d)
	return result, nil
}

func (a *adminServer) rootUserCreate(ctx context.Context, req adminRequest) (api.CommandReply, error) {
	var args commands.RootUserCreate
	if err := strictjson.Unmarshal(req.Args, &args); err != nil {
		return api.CommandReply{}, api.Errorf(api.CodeInvalidArgument, "malformed %s args: %v", req.Command, err)
	}
	ctx, cancel := context.WithTimeout(ctx, adminTimeout)
	defer cancel()
	rep, err := ledger.RootUserCreate(ctx, a.l, args.User, args.Password)
	if err == nil {
		a.log.Info("root user created or repaired", "user", args.User, "events", rep.Events, "seq", rep.Seq)
	}
	return rep, err
}

// decodeStrict reads one request (a JSON value, up to adminMaxRequest
// bytes) from conn, strictly (strictjson). The client sends one value per
// connection, so it reads one value, not to EOF.
func decodeStrict(conn net.Conn, v any) error {
	var raw json.RawMessage
	if err := json.NewDecoder(io.LimitReader(conn, adminMaxRequest)).Decode(&raw); err != nil {
		return err
	}
	return strictjson.Unmarshal(raw, v)
}

// adminCall sends a root-user-create to a serve's admin socket. reached is
// false when no serve answers there (no socket, or a stale one), so the
// caller may open the data dir itself.
func adminCall(ctx context.Context, data string, req adminRequest) (rep api.CommandReply, reached bool, err error) {
	result, ae, reached, err := adminStream(ctx, data, req, nil)
	if err == nil && ae == nil {
		err = json.Unmarshal(result, &rep)
	}
	rep.Error = ae
	return rep, reached, err
}

// adminStream sends req to a serve's admin socket, passes each progress
// line to progress (may be nil), and returns the last line's result or
// API error. reached is false when no serve answers there.
func adminStream(ctx context.Context, data string, req adminRequest, progress func(string)) (result json.RawMessage, ae *api.Error, reached bool, err error) {
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	conn, err := d.DialContext(dctx, "unix", adminSocketPath(data))
	if err != nil {
		return nil, nil, false, nil
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	_ = conn.SetDeadline(time.Now().Add(adminTimeout))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return nil, nil, true, fmt.Errorf("writing to the admin socket: %w", err)
	}
	dec := json.NewDecoder(conn)
	for {
		var f adminFrame
		if err := dec.Decode(&f); err != nil {
			return nil, nil, true, fmt.Errorf("reading the admin socket's reply: %w", err)
		}
		if f.Progress == "" {
			return f.Result, f.Error, true, nil
		}
		_ = conn.SetDeadline(time.Now().Add(adminTimeout))
		if progress != nil {
			progress(f.Progress)
		}
	}
}
