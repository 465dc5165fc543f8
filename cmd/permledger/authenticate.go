package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"

	"github.com/permledger/permledger/api"
)

var authenticateUsage = usage{
	name:     "authenticate",
	synopsis: "[flags] TOKEN|-",
	about: `Asks a running serve, over NATS (permledger.q.authenticate), which user
TOKEN belongs to, and prints it ("(admin)" after an admin). With "-" the
token is read from stdin, one line, which keeps it out of the process list.

Exit status: 0 a user, 1 unauthenticated, 2 any other error.`,
	example: `permledger authenticate "$TOKEN"
printf '%s\n' "$TOKEN" | permledger authenticate -`,
}

func runAuthenticate(ctx context.Context, e *environ, args []string) error {
	var f natsFlags
	fs := newFlagSet(e, authenticateUsage)
	f.register(fs, e)
	pos, err := parseArgs(fs, args, 1, 1)
	if err != nil {
		return helpOK(err)
	}
	token := pos[0]
	if token == "-" {
		if token, err = readLine(bufio.NewReader(e.stdin)); err != nil {
			return fmt.Errorf("reading the token from stdin: %w", err)
		}
	}
	rep, err := f.authenticate(ctx, token)
	switch {
	case api.CodeOf(err) == api.CodeUnauthenticated:
		return &exitError{code: exitFailure, err: err}
	case err != nil:
		return failed(err)
	case f.json:
		return json.NewEncoder(e.stdout).Encode(rep)
	case rep.Admin:
		fmt.Fprintf(e.stdout, "%s (admin)\n", rep.User)
	default:
		fmt.Fprintln(e.stdout, rep.User)
	}
	return nil
}

func (f *natsFlags) authenticate(ctx context.Context, token string) (api.AuthenticateReply, error) {
	c, closeConn, err := f.connect()
	if err != nil {
		return api.AuthenticateReply{}, err
	}
	defer closeConn()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return c.Authenticate(ctx, token)
}
