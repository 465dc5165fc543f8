package main

import (
	"context"
	"fmt"

	"github.com/permledger/permledger/api"
)

var loginUsage = usage{
	name:     "login",
	synopsis: "[flags] USER",
	about: `Logs USER in (C17): the password is read from the terminal without echo,
or one line from stdin; the token the server returns is saved, with the
server, in the login file (PERMLEDGER_CONFIG_DIR/login.json, else
login.json in the permledger folder of your config dir), mode 0600. The
other commands act with that token (PERMLEDGER_TOKEN overrides it) and
talk to that server (--server and PERMLEDGER_NATS_URL override it).`,
	example: `permledger login --server nats://ledger.corp:4222 alice@corp.com
echo -n 'rootpw' | permledger login root@corp.com`,
}

func runLogin(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: loginUsage, min: 1, max: 1,
		build: func(ctx context.Context, e *environ, pos []string) (submitted, error) {
			pw, err := readLoginPassword(ctx, e, pos[0])
			return submitted{name: "login", args: map[string]any{"user": pos[0], "password": pw}, tokenless: true,
				done: "logged in as " + pos[0]}, err
		},
		after: func(e *environ, f *cmdFlags, s submitted, rep api.CommandReply) error {
			path, err := writeLogin(e, loginFile{Server: f.server, User: s.args["user"].(string), Token: rep.Token})
			if err != nil {
				return fmt.Errorf("logged in, but saving the token failed: %w", err)
			}
			if f.json {
				return f.report(e, s, rep)
			}
			fmt.Fprintf(e.stdout, "logged in as %s (token saved in %s)\n", s.args["user"], path)
			return nil
		},
	}.run(ctx, e, args)
}

var logoutUsage = usage{
	name:     "logout",
	synopsis: "",
	about: `Forgets the saved login: removes the login file. The token itself stays
valid until token-regenerate revokes it.`,
	example: `permledger logout`,
}

func runLogout(_ context.Context, e *environ, args []string) error {
	fs := newFlagSet(e, logoutUsage)
	if _, err := parseArgs(fs, args, 0, 0); err != nil {
		return helpOK(err)
	}
	lf, _ := readLogin(e)
	path, had, err := removeLogin(e)
	switch {
	case err != nil:
		return failed(fmt.Errorf("removing the login file: %w", err))
	case !had:
		fmt.Fprintln(e.stdout, "not logged in")
	default:
		fmt.Fprintf(e.stdout, "logged out %s (removed %s)\n", lf.User, path)
	}
	return nil
}
