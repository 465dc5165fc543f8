package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "permledger.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

func TestLoadOverlaysTheDefaults(t *testing.T) {
	ca := write(t, "not really a CA")
	path := write(t, `{"data": "/var/lib/permledger", "feed": false,
		"nats": {"url": "tls://n1:4222,tls://n2:4222", "replicas": 3, "sync": "always",
		         "user": "ledger", "password": "s3cret", "tls": {"ca_file": "`+ca+`"}}}`)
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Data != "/var/lib/permledger" || c.Feed || c.HTTP != Default().HTTP || c.NATS.Replicas != 3 ||
		c.NATS.User != "ledger" || c.NATS.TLS.CAFile != ca || c.NATS.Listen != Default().NATS.Listen {
		t.Errorf("Load = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() = %v", err)
	}
	opts, err := c.NATS.Options()
	if err != nil || len(opts) != 2 {
		t.Errorf("Options() = %d options, %v; want user info and root CAs", len(opts), err)
	}
}

func TestLoadRefusesUnknownKeys(t *testing.T) {
	_, err := Load(write(t, `{"nats": {"replica": 3}}`))
	if err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("Load with nats.replica = %v, want an error naming it", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("Load of a missing file: no error")
	}
}

// TestValidateReportsEveryProblem: one call names every offending value.
func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Data, c.HTTP, c.BcryptCost, c.LogLevel = "", "nowhere", 3, "loud"
	c.NATS.Sync, c.NATS.Replicas, c.NATS.Listen = "sometimes", 3, "localhost:99999"
	c.NATS.Token, c.NATS.CredsFile = "tok", "/no/such.creds"
	c.NATS.TLS.CertFile = "/no/cert.pem"
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"data: empty", `http "nowhere"`, "bcrypt_cost 3", `log_level "loud"`, `nats.sync "sometimes"`,
		"nats.replicas 3 needs a NATS cluster", `nats.listen "localhost:99999"`, "token, creds_file: give one way",
		"cert_file and key_file go together", `nats.creds_file "/no/such.creds"`, "apply to an external NATS"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() lacks %q:\n%v", want, err)
		}
	}
}

func TestLogValueHidesSecrets(t *testing.T) {
	c := Default()
	c.NATS.URL = "nats://ledger:urlsecret@n1:4222,nats://tokensecret@n2:4222"
	c.NATS.User, c.NATS.Password, c.NATS.Token = "ledger", "pwsecret", "tksecret"
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configuration", "config", c)
	for _, secret := range []string{"urlsecret", "tokensecret", "pwsecret", "tksecret"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the log shows %s: %s", secret, buf.String())
		}
	}
	if !strings.Contains(buf.String(), `"user":"ledger"`) {
		t.Errorf("the log lacks the user: %s", buf.String())
	}
}
