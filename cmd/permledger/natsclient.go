package main

import (
	"flag"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

// natsFlags are the flags of the commands that talk to a serve over NATS.
type natsFlags struct {
	server  string
	json    bool
	timeout time.Duration
}

func (f *natsFlags) register(fs *flag.FlagSet, e *environ) {
	fs.StringVar(&f.server, "server", e.envOr("PERMLEDGER_NATS_URL", nats.DefaultURL), "NATS server `url`s, comma-separated (env PERMLEDGER_NATS_URL)")
	fs.BoolVar(&f.json, "json", false, "print the reply as JSON")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "give up after this `duration`")
}

// connect opens a client; a failure is an "unavailable" API error.
func (f *natsFlags) connect() (*client.Client, func(), error) {
	nc, err := nats.Connect(f.server, nats.Name("permledger-cli"), nats.Timeout(f.timeout))
	if err != nil {
		return nil, nil, api.Errorf(api.CodeUnavailable, "connecting to NATS at %s: %v", redactURLs(f.server), err)
	}
	return client.New(nc), nc.Close, nil
}

// redactURL hides a URL's password; text that is not a URL but holds
// credentials is hidden whole.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		if strings.Contains(s, "@") {
			return "[redacted]"
		}
		return s
	}
	return u.Redacted()
}
