package main

import (
	"context"
	"encoding/json"
	"flag"

	"github.com/permledger/permledger/client"
)

// reader is a subcommand that asks one query as the logged-in actor and
// prints its reply as a table, or as JSON with --json.
type reader[Rep any] struct {
	usage    usage
	min, max int
	flags    func(fs *flag.FlagSet)
	ask      func(ctx context.Context, c *client.Client, token string, pos []string) (Rep, error)
	print    func(e *environ, rep Rep, pos []string) error
}

func (r reader[Rep]) run(ctx context.Context, e *environ, args []string) error {
	var f natsFlags
	fs := newFlagSet(e, r.usage)
	f.register(fs, e)
	if r.flags != nil {
		r.flags(fs)
	}
	pos, err := parseArgs(fs, args, r.min, r.max)
	if err != nil {
		return helpOK(err)
	}
	token, err := f.actor()
	if err != nil {
		return failed(err)
	}
	var rep Rep
	err = f.call(ctx, func(ctx context.Context, c *client.Client) error {
		rep, err = r.ask(ctx, c, token, pos)
		return err
	})
	switch {
	case err != nil:
		return failed(err)
	case f.json:
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	return failed(r.print(e, rep, pos))
}
