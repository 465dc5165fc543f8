package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"

	"github.com/nats-io/nats.go"
)

// Conn is how a client authenticates to NATS (at most one of user and
// password, token, nkey seed file, or credentials file) and its TLS.
type Conn struct {
	User      string `json:"user,omitempty"`
	Password  string `json:"password,omitempty"`
	Token     string `json:"token,omitempty"`
	NKeyFile  string `json:"nkey_file,omitempty"`
	CredsFile string `json:"creds_file,omitempty"`
	TLS       TLS    `json:"tls"`
}

// TLS configures the connection's TLS: a CA to verify the servers, and a
// client certificate and key for mutual TLS.
type TLS struct {
	CAFile   string `json:"ca_file,omitempty"`
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
}

// Configured reports whether any credential or TLS setting is given.
func (c Conn) Configured() bool { return c != Conn{} }

// Validate reports every problem: several ways to authenticate, a
// password without a user, half a client certificate, a missing file.
func (c Conn) Validate() []error {
	var errs []error
	var ways []string
	for _, w := range []struct {
		name string
		set  bool
	}{{"user", c.User != "" || c.Password != ""}, {"token", c.Token != ""},
		{"nkey_file", c.NKeyFile != ""}, {"creds_file", c.CredsFile != ""}} {
		if w.set {
			ways = append(ways, w.name)
		}
	}
	if len(ways) > 1 {
		errs = append(errs, fmt.Errorf("nats: %s: give one way to authenticate", strings.Join(ways, ", ")))
	}
	if c.Password != "" && c.User == "" {
		errs = append(errs, errors.New("nats.password without nats.user"))
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		errs = append(errs, errors.New("nats.tls: cert_file and key_file go together"))
	}
	for _, f := range []struct{ name, path string }{{"nats.nkey_file", c.NKeyFile}, {"nats.creds_file", c.CredsFile},
		{"nats.tls.ca_file", c.TLS.CAFile}, {"nats.tls.cert_file", c.TLS.CertFile}, {"nats.tls.key_file", c.TLS.KeyFile}} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %v", f.name, f.path, errors.Unwrap(err)))
		}
	}
	return errs
}

// Options are the nats.go options that apply the settings.
func (c Conn) Options() ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	case c.Token != "":
		opts = append(opts, nats.Token(c.Token))
	case c.CredsFile != "":
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	case c.NKeyFile != "":
		opt, err := nats.NkeyOptionFromSeed(c.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("nats nkey_file %q: %w", c.NKeyFile, err)
		}
		opts = append(opts, opt)
	}
	if c.TLS.CAFile != "" {
		opts = append(opts, nats.RootCAs(c.TLS.CAFile))
	}
	if c.TLS.CertFile != "" {
		opts = append(opts, nats.ClientCert(c.TLS.CertFile, c.TLS.KeyFile))
	}
	return opts, nil
}

// LogValue shows which settings are given, never a password or a token.
func (c Conn) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", c.User), slog.Bool("password", c.Password != ""),
		slog.Bool("token", c.Token != ""), slog.String("nkey_file", c.NKeyFile), slog.String("creds_file", c.CredsFile),
		slog.String("tls_ca_file", c.TLS.CAFile), slog.String("tls_cert_file", c.TLS.CertFile))
}

// RedactURLs hides the passwords of a comma-separated list of NATS URLs;
// text that is not a URL but holds credentials is hidden whole.
func RedactURLs(urls string) string {
	if urls == "" {
		return ""
	}
	parts := strings.Split(urls, ",")
	for i, p := range parts {
		parts[i] = redactURL(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		if strings.Contains(s, "@") {
			return "[redacted]"
		}
		return s
	}
	if _, has := u.User.Password(); !has && u.User != nil && u.User.Username() != "" {
		// nats://TOKEN@host: a user name alone is a token
		u.User = url.User("xxxxx")
		return u.String()
	}
	return u.Redacted()
}
