package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsd "github.com/nats-io/nats-server/v2/server"
)

// TestServeConfigLayers: the file sets what flags and environment leave
// alone; the environment beats the file; a flag beats both.
func TestServeConfigLayers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(t.TempDir(), "permledger.json")
	cfg := `{"data": "` + dir + `", "http": "127.0.0.1:0", "bcrypt_cost": 4, "log_level": "warn", "feed": false,
		"nats": {"listen": "127.0.0.1:0"}}`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PERMLEDGER_CONFIG": path, "PERMLEDGER_LOG_LEVEL": "error"}
	s := startServeWith(t, dir, []string{"serve", "--log-level", "info"}, func(k string) string { return env[k] })
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	for _, want := range []string{`"log_level":"info"`, `"feed":false`, `"bcrypt_cost":4`, `"data":"` + dir + `"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("the configuration logged lacks %s:\n%s", want, logs)
		}
	}
}

func TestServeConfigErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"nats": {"replica": 3}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := permledger(t, "", "serve", "--config", bad)
	if r.code != 2 || !strings.Contains(r.stderr, "replica") {
		t.Errorf("serve --config with nats.replica: exit %d, stderr %q; want 2 naming replica", r.code, r.stderr)
	}
	r = permledger(t, "", "serve", "--sync", "sometimes", "--replicas", "2", "--bcrypt-cost", "3", "--http", "nowhere",
		"--nats-tls-cert", "/no/cert.pem")
	for _, want := range []string{`nats.sync "sometimes"`, "nats.replicas 2", "bcrypt_cost 3", `http "nowhere"`,
		"cert_file and key_file go together", `"/no/cert.pem"`} {
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("serve with bad flags: exit %d, stderr lacks %q:\n%s", r.code, want, r.stderr)
		}
	}
}

// TestServeExternalNATSWithPassword: serve and the client commands reach a
// NATS that wants a user and password, given by the environment, and
// never log the password.
func TestServeExternalNATSWithPassword(t *testing.T) {
	ns, err := natsd.NewServer(&natsd.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		Username: "ledger", Password: "natssecret", NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	defer ns.Shutdown()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	dir := t.TempDir()
	env := map[string]string{"PERMLEDGER_NATS_URL": ns.ClientURL(), "PERMLEDGER_NATS_USER": "ledger", "PERMLEDGER_NATS_PASSWORD": "natssecret"}
	getenv := func(k string) string { return env[k] }
	s := startServeWith(t, dir, []string{"serve", "--data", dir, "--http", "127.0.0.1:0", "--bcrypt-cost", "4"}, getenv)
	c := &cli{t: t, env: env}
	c.expect(1, `^deny \(R5\)\n$`, "", "check", "nobody@corp.com", "app.read")
	delete(env, "PERMLEDGER_NATS_PASSWORD")
	c.expect(2, `^$`, `^permledger: unavailable: connecting to NATS at .*: nats: Authorization Violation`, "check", "nobody@corp.com", "app.read")
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if logs := s.stderr.String(); strings.Contains(logs, "natssecret") || !strings.Contains(logs, `"password":true`) {
		t.Errorf("serve's logs show the password, or not that one is set:\n%s", logs)
	}
}
