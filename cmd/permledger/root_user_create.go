package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

var rootUserCreateUsage = usage{
	name:     "root-user-create",
	synopsis: "[flags] USER",
	about: `Creates USER as an active admin holding the AllowAll role, or repairs it
(activates it, makes it admin, restores AllowAll). A re-run appends only
what is missing and never changes the password.

It is a local operator command, never offered over the network. When a
serve owns DATA (DATA/admin.sock answers), the command goes through that
socket; otherwise it opens DATA itself (with the embedded NATS server on a
random loopback port, or --nats-url), runs the command and closes it.

The password is read from the terminal without echo, twice, when stdin is
a terminal; otherwise from stdin, one line (the trailing newline dropped).
It is never echoed, printed or logged.`,
	example: `permledger root-user-create --data ./data root@corp.com
echo -n 'rootpw' | permledger root-user-create root@corp.com`,
}

type rootUserCreateFlags struct {
	data, natsURL string
	bcryptCost    int
	json          bool
}

func runRootUserCreate(ctx context.Context, e *environ, args []string) error {
	var f rootUserCreateFlags
	fs := newFlagSet(e, rootUserCreateUsage)
	fs.StringVar(&f.data, "data", e.envOr("PERMLEDGER_DATA", "./data"), "data `dir` (env PERMLEDGER_DATA)")
	fs.StringVar(&f.natsURL, "nats-url", e.getenv("PERMLEDGER_NATS_URL"), "external NATS `url`s when no serve runs; empty: the embedded server (env PERMLEDGER_NATS_URL)")
	fs.IntVar(&f.bcryptCost, "bcrypt-cost", 10, "bcrypt `cost` when no serve runs (a running serve uses its own)")
	fs.BoolVar(&f.json, "json", false, "print the reply as JSON")
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return helpOK(err)
	}
	user := pos[0]
	password, err := readPassword(ctx, e, user)
	if err != nil {
		return err
	}
	rep, err := rootUserCreate(ctx, f, user, password)
	if err != nil {
		return err
	}
	return printRootUserCreate(e, f.json, user, rep)
}

// rootUserCreate goes through a running serve's admin socket, or opens the
// data dir itself when none answers.
func rootUserCreate(ctx context.Context, f rootUserCreateFlags, user, password string) (api.CommandReply, error) {
	args, _ := json.Marshal(commands.RootUserCreate{User: user, Password: password})
	rep, reached, err := adminCall(ctx, f.data, adminRequest{Command: commands.RootUserCreateName, Args: args})
	if reached {
		if err == nil && rep.Error != nil {
			err = rep.Error
		}
		return rep, err
	}
	l, err := ledger.Open(ctx, ledger.Config{DataDir: f.data, NATSURL: f.natsURL,
		Embedded: natsserver.Config{Port: -1}, BcryptCost: f.bcryptCost, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return api.CommandReply{}, err
	}
	rep, err = ledger.RootUserCreate(ctx, l, user, password)
	if cerr := l.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the ledger: %w", cerr)
	}
	return rep, err
}

func printRootUserCreate(e *environ, asJSON bool, user string, rep api.CommandReply) error {
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	if rep.Events == 0 {
		fmt.Fprintf(e.stdout, "root user %s is up to date (seq %d)\n", user, rep.Seq)
		return nil
	}
	fmt.Fprintf(e.stdout, "root user %s created or updated (%d events, seq %d)\n", user, rep.Events, rep.Seq)
	return nil
}
