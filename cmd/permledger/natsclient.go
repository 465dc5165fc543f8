package main

import (
	"context"
	"errors"
	"flag"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/config"
)

// natsFlags are the flags of the commands that talk to a serve over NATS.
// The server is --server, else PERMLEDGER_NATS_URL, else the server of the
// last login, else nats://127.0.0.1:4222. NATS credentials and TLS come
// from the environment (clientConn); the actor's token from
// PERMLEDGER_TOKEN, else the login file.
type natsFlags struct {
	server  string
	json    bool
	timeout time.Duration
	conn    config.Conn
	login   loginFile // the login file as it was read ("" token: none)
	token   string    // the actor's token ("" none)
}

func (f *natsFlags) register(fs *flag.FlagSet, e *environ) {
	f.login, _ = readLogin(e)
	def := e.envOr("PERMLEDGER_NATS_URL", nats.DefaultURL)
	if e.getenv("PERMLEDGER_NATS_URL") == "" && f.login.Server != "" {
		def = f.login.Server
	}
	fs.StringVar(&f.server, "server", def, "NATS server `url`s, comma-separated (env PERMLEDGER_NATS_URL; else the last login's)")
	fs.Lookup("server").DefValue = config.RedactURLs(def)
	fs.BoolVar(&f.json, "json", false, "print the reply as JSON")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "give up after this `duration`")
	f.conn = clientConn(e)
	f.token = e.getenv("PERMLEDGER_TOKEN")
	if f.token == "" {
		f.token = f.login.Token
	}
}

// clientConn is the NATS credentials and TLS of a command-line client,
// from the environment only: flags would show secrets in the process list.
func clientConn(e *environ) config.Conn {
	return config.Conn{
		User: e.getenv("PERMLEDGER_NATS_USER"), Password: e.getenv("PERMLEDGER_NATS_PASSWORD"),
		Token: e.getenv("PERMLEDGER_NATS_TOKEN"), NKeyFile: e.getenv("PERMLEDGER_NATS_NKEY"),
		CredsFile: e.getenv("PERMLEDGER_NATS_CREDS"),
		TLS: config.TLS{CAFile: e.getenv("PERMLEDGER_NATS_TLS_CA"), CertFile: e.getenv("PERMLEDGER_NATS_TLS_CERT"),
			KeyFile: e.getenv("PERMLEDGER_NATS_TLS_KEY")},
	}
}

// connect opens a client; a failure is an "unavailable" API error.
func (f *natsFlags) connect() (*client.Client, func(), error) {
	if err := errors.Join(f.conn.Validate()...); err != nil {
		return nil, nil, api.Errorf(api.CodeInvalidArgument, "NATS settings from the environment: %v", err)
	}
	opts, err := f.conn.Options()
	if err != nil {
		return nil, nil, api.Errorf(api.CodeInvalidArgument, "%v", err)
	}
	opts = append(opts, nats.Name("permledger-cli"), nats.Timeout(f.timeout))
	nc, err := nats.Connect(f.server, opts...)
	if err != nil {
		return nil, nil, api.Errorf(api.CodeUnavailable, "connecting to NATS at %s: %v", redactURLs(f.server), err)
	}
	return client.New(nc), nc.Close, nil
}

// call connects, runs fn within --timeout and closes.
func (f *natsFlags) call(ctx context.Context, fn func(context.Context, *client.Client) error) error {
	c, closeConn, err := f.connect()
	if err != nil {
		return err
	}
	defer closeConn()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	return fn(ctx, c)
}

// actor is the token to act with, or an error saying how to get one.
func (f *natsFlags) actor() (string, error) {
	if f.token == "" {
		return "", api.Errorf(api.CodeUnauthenticated, "not logged in: run 'permledger login USER' or set PERMLEDGER_TOKEN")
	}
	return f.token, nil
}

// redactURLs hides the passwords of a comma-separated list of NATS URLs.
func redactURLs(urls string) string { return config.RedactURLs(urls) }
