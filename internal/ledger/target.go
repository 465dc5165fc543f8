package ledger

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/conformance"
	"github.com/permledger/permledger/internal/errmap"
	"github.com/permledger/permledger/internal/natsserver"
)

// ConformanceTargets returns a conformance.NewTarget that opens a fresh
// embedded ledger (JetStream on a random loopback port, Pebble in a
// temporary folder under baseDir) for every scenario. Every step but
// root-user-create goes through the real NATS API.
func ConformanceTargets(baseDir string, bcryptCost int) conformance.NewTarget {
	return func(ctx context.Context) (conformance.Target, error) {
		dir, err := os.MkdirTemp(baseDir, "permledger-conformance-")
		if err != nil {
			return nil, err
		}
		l, err := Open(ctx, Config{DataDir: dir, Embedded: natsserver.Config{Port: -1},
			BcryptCost: bcryptCost, ServeAPI: true})
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		return &target{l: l, c: client.New(l.Conn), dir: dir}, nil
	}
}

type target struct {
	l   *Ledger
	c   *client.Client
	dir string
}

func (t *target) Command(ctx context.Context, name, token string, args json.RawMessage) (api.CommandReply, error) {
	return t.c.Command(ctx, name, events.NewID(time.Now()), token, args)
}

func (t *target) RootUserCreate(ctx context.Context, user, password string) (api.CommandReply, error) {
	return RootUserCreate(ctx, t.l, user, password)
}

func (t *target) Check(ctx context.Context, req api.CheckRequest) (api.CheckReply, error) {
	return t.c.Check(ctx, req)
}

func (t *target) Authenticate(ctx context.Context, token string) (string, error) {
	rep, err := t.c.Authenticate(ctx, token)
	return rep.User, err
}

func (t *target) LastSeq(ctx context.Context) (uint64, error) { return t.l.Log.LastSeq(ctx) }

func (t *target) Close() error {
	err := t.l.Close()
	if rerr := os.RemoveAll(t.dir); err == nil {
		err = rerr
	}
	return err
}

// RootUserCreate runs the local operator command on an open ledger.
func RootUserCreate(ctx context.Context, l *Ledger, user, password string) (api.CommandReply, error) {
	args, _ := json.Marshal(commands.RootUserCreate{User: user, Password: password})
	rep, err := l.Commands.Execute(ctx, commands.Request{Name: commands.RootUserCreateName, Args: args, Local: true})
	if err != nil {
		ae := errmap.ToAPI(err)
		if ae.Code == api.CodeInternal {
			l.cfg.Logger.Error("root-user-create failed", "user", user, "error", err)
		}
		return api.CommandReply{}, ae
	}
	return api.CommandReply{Events: rep.Events, Seq: rep.Seq}, nil
}
