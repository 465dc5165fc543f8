package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/permledger/permledger/api"
)

// cli runs the program with an environment: a server, a login dir.
type cli struct {
	t   *testing.T
	env map[string]string
}

func (c *cli) getenv(name string) string { return c.env[name] }

// with returns a cli whose environment also has name=value.
func (c *cli) with(name, value string) *cli {
	env := map[string]string{}
	for k, v := range c.env {
		env[k] = v
	}
	env[name] = value
	return &cli{t: c.t, env: env}
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err := run(ctx, args, c.getenv, strings.NewReader(stdin), &out, &errOut)
	var printed bytes.Buffer
	code := exitCode(err, &printed)
	return result{stdout: out.String(), stderr: errOut.String() + printed.String(), err: err, code: code}
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	r := c.run(stdin, args...)
	if r.code != 0 {
		c.t.Fatalf("%q: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// expect runs a command and checks its exit code and that stdout and
// stderr match the regular expressions (empty: anything).
func (c *cli) expect(code int, stdout, stderr string, args ...string) result {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != code || !regexp.MustCompile(stdout).MatchString(r.stdout) || !regexp.MustCompile(stderr).MatchString(r.stderr) {
		c.t.Errorf("%q: exit %d, want %d\nstdout: %q, want /%s/\nstderr: %q, want /%s/", args, r.code, code, r.stdout, stdout, r.stderr, stderr)
	}
	return r
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decoding %q: %v", s, err)
	}
	return v
}

// TestCLIEndToEnd drives every client subcommand against a running serve,
// as an operator would, checking the tables, --json, exit codes and
// messages; then that serve's logs hold none of the passwords and tokens
// used.
func TestCLIEndToEnd(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, dir)
	c := &cli{t: t, env: map[string]string{"PERMLEDGER_NATS_URL": s.nats, "PERMLEDGER_DATA": dir,
		"PERMLEDGER_CONFIG_DIR": filepath.Join(t.TempDir(), "root")}}
	c.ok("rootpw\n", "root-user-create", "root@corp.com")
	loginAndRoles(t, c)
	checksAndExplain(t, c)
	tables(t, c)
	secrets := identity(t, c)
	cleanup(t, c)
	operator(t, c, s)
	c.expect(0, `^logged out root@corp.com \(removed .*login.json\)\n$`, "", "logout")
	c.expect(2, `^$`, `^permledger: unauthenticated: not logged in: run 'permledger login USER' or set PERMLEDGER_TOKEN\n$`, "role-list")
	c.expect(0, `^not logged in\n$`, "", "logout")
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	logs := s.stderr.String()
	for _, secret := range append(secrets, "rootpw", "bobpw", "carolpw", "davepw") {
		if strings.Contains(logs, secret) {
			t.Errorf("serve logged the secret %q", secret)
		}
	}
	if !strings.Contains(logs, `"msg":"command","command":"role-assign"`) {
		t.Errorf("serve's logs lack the role-assign command: %s", logs)
	}
}

func loginAndRoles(t *testing.T, c *cli) {
	out := c.ok("rootpw\n", "login", "root@corp.com")
	path := filepath.Join(c.env["PERMLEDGER_CONFIG_DIR"], "login.json")
	if want := "logged in as root@corp.com (token saved in " + path + ")\n"; out != want {
		t.Errorf("login: %q, want %q", out, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("login file: %v, mode %v; want 0600", err, fi.Mode())
	}
	c.expect(0, `^role deployer added in context team \(seq \d+\)\n$`, "", "role-add", "deployer", "team", "--description", "deploys")
	c.expect(0, `^role deployer: added app.deploy, app.read \(seq \d+\)\n$`, "", "role-permission-add", "deployer", "app.deploy", "app.read")
	if out := c.ok("bobpw\n", "user-create", "bob@corp.com"); !strings.HasPrefix(out, "user bob@corp.com created (seq ") {
		t.Errorf("user-create: %q", out)
	}
	c.expect(0, `^team blue created \(seq \d+\)\n$`, "", "team-create", "blue")
	c.expect(0, `^role deployer\(blue\) assigned to bob@corp.com \(seq \d+\)\n$`, "", "role-assign", "deployer", "bob@corp.com", "blue")
	c.expect(0, `^role deployer\(blue\) assigned to bob@corp.com: already so, nothing appended \(seq \d+\)\n$`, "",
		"role-assign", "deployer", "bob@corp.com", "blue")
	rep := decodeJSON[api.CommandReply](t, c.ok("", "revoke", "--json", "bob@corp.com", "app.read", "team:blue"))
	if rep.Events != 1 || rep.Seq == 0 {
		t.Errorf("revoke --json: %+v", rep)
	}
	c.expect(0, `^app.read denied to bob@corp.com in team:blue: already so`, "", "revoke", "bob@corp.com", "app.read", "team:blue")
	c.expect(0, `^team red created \(seq \d+\)\n$`, "", "team-create", "--command-id", "create-red", "red")
	c.expect(0, `^team red created \(command create-red was done before: nothing appended, seq \d+\)\n$`, "",
		"team-create", "--command-id", "create-red", "red")
	c.expect(2, `^$`, `^permledger: not_found: role "nope" not found\n$`, "role-assign", "nope", "bob@corp.com")
	c.expect(2, `^$`, `invalid_argument: .*"planet"`, "role-add", "auditor", "planet")
}

func checksAndExplain(t *testing.T, c *cli) {
	c.expect(0, `^allow \(R4\)\n$`, "", "check", "bob@corp.com", "app.deploy", "team:blue", "app:web")
	c.expect(1, `^deny \(R3\)\n$`, "", "check", "bob@corp.com", "app.read", "team:blue")
	c.expect(2, `^$`, `^permledger: invalid_argument: .*"app.fly"`, "check", "bob@corp.com", "app.fly")
	c.expect(1, `^deny \(R5\)\n$`, "", "check", "--at-time", "2000-01-01T00:00:00Z", "bob@corp.com", "app.deploy", "team:blue")
	c.expect(2, `^$`, `at_time "yesterday"`, "check", "--at-time", "yesterday", "bob@corp.com", "app.deploy")
	out := c.expect(0, "", "", "explain", "bob@corp.com", "app.deploy", "team:blue").stdout
	for _, want := range []string{"allow (R4)\n", "  reason:     a holding matches (R4)\n",
		"  match:      role deployer(blue), which holds app.deploy in team:blue\n", " by root@corp.com (command "} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%s", want, out)
		}
	}
	c.expect(1, `match:      an explicit deny \(revoke\) of app.read in team:blue`, "", "explain", "bob@corp.com", "app.read", "team:blue")
	r := c.run("", "explain", "--json", "bob@corp.com", "app.read", "team:blue")
	x := decodeJSON[api.CheckReply](t, r.stdout)
	if r.code != 1 || x.Explanation == nil || x.Explanation.Match == nil || x.Explanation.Match.Kind != "override-deny" {
		t.Errorf("explain --json: exit %d, %+v", r.code, x)
	}
	// As of the sequence before the revoke, bob could read.
	c.expect(0, `^allow \(R4\)\n$`, "", "check", "--at-seq", uintStr(x.Explanation.Match.Seq-1), "bob@corp.com", "app.read", "team:blue")
}

func uintStr(n uint64) string { return jsonNumber(n) }

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

func tables(t *testing.T, c *cli) {
	want := `+----------+---------+-------------+
| Role     | Context | Permissions |
+----------+---------+-------------+
| AllowAll | global  | *           |
+----------+---------+-------------+
| deployer | team    | app.deploy  |
|          |         | app.read    |
+----------+---------+-------------+
`
	if out := c.ok("", "role-list"); out != want {
		t.Errorf("role-list:\n%s\nwant:\n%s", out, want)
	}
	if rep := decodeJSON[api.RoleListReply](t, c.ok("", "role-list", "--json")); len(rep.Roles) != 2 || rep.Roles[1].Description != "deploys" {
		t.Errorf("role-list --json: %+v", rep)
	}
	out := c.ok("", "role-info", "deployer")
	for _, want := range []string{"Name:        deployer\n", "Context:     team\n", "Description: deploys\n", "| app.deploy | seq "} {
		if !strings.Contains(out, want) {
			t.Errorf("role-info lacks %q:\n%s", want, out)
		}
	}
	if out := c.ok("", "permission-list"); !regexp.MustCompile(`\n\| app\.deploy +\| global, app, team, pool +\|\n`).MatchString(out) {
		t.Errorf("permission-list lacks app.deploy's row:\n%.500s", out)
	}
	want = `+---------------+--------+-------+----------------+
| User          | Status | Admin | Roles          |
+---------------+--------+-------+----------------+
| bob@corp.com  | active | no    | deployer(blue) |
| root@corp.com | active | yes   | AllowAll       |
+---------------+--------+-------+----------------+
`
	if out := c.ok("", "user-list"); out != want {
		t.Errorf("user-list:\n%s\nwant:\n%s", out, want)
	}
	if rep := decodeJSON[api.UserListReply](t, c.ok("", "user-list", "--limit", "1", "--json")); len(rep.Users) != 1 || rep.Next != "bob@corp.com" {
		t.Errorf("user-list --limit 1 --json: %+v", rep)
	}
	out = c.ok("", "perms-view", "bob@corp.com")
	for _, re := range []string{`(?m)^Status: active$`, `\| deployer \| team:blue \| app\.deploy  \| seq \d+ by root@corp\.com at `,
		`\|          \|           \| app\.read    \|`, `\| app\.read   \| team:blue \| deny   \| seq \d+ by root@corp\.com`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("perms-view lacks /%s/:\n%s", re, out)
		}
	}
	out = c.ok("", "history", "bob@corp.com")
	for _, re := range []string{`\| user\.created +\| password_hash=\(redacted\) status=active +\|`,
		`\| role\.assigned +\| role=deployer value=blue +\|`, `\| permission\.revoked +\| context=team:blue permission=app\.read +\|`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("history lacks /%s/:\n%s", re, out)
		}
	}
	h := decodeJSON[api.HistoryReply](t, c.ok("", "history", "--json", "bob@corp.com"))
	if len(h.Entries) != 3 {
		t.Fatalf("history --json: %+v", h)
	}
	since := decodeJSON[api.HistoryReply](t, c.ok("", "history", "--json", "--since", jsonNumber(h.Entries[1].Seq), "bob@corp.com"))
	if len(since.Entries) != 2 {
		t.Errorf("history --since %d: %+v", h.Entries[1].Seq, since)
	}
}

// identity covers registration, approval, the admin flag and tokens. It
// returns the tokens it saw.
func identity(t *testing.T, c *cli) []string {
	c.expect(0, `^registration mode enabled, with approval \(seq \d+\)\n$`, "", "registration-mode-set", "enabled", "--approval")
	carol := c.with("PERMLEDGER_CONFIG_DIR", filepath.Join(t.TempDir(), "carol"))
	if r := carol.run("carolpw\n", "register", "carol@corp.com"); r.code != 0 || !strings.HasPrefix(r.stdout, "user carol@corp.com registered, pending approval by an admin (seq ") {
		t.Errorf("register carol: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	c.expect(0, `^user carol@corp.com approved`, "", "user-approve", "carol@corp.com")
	c.expect(0, `^user carol@corp.com is an admin`, "", "admin-set", "carol@corp.com", "on")
	c.expect(2, `^$`, `^permledger: invalid_argument: "maybe" is neither on nor off\n$`, "admin-set", "carol@corp.com", "maybe")
	out := c.ok("", "registration-token-issue", "--user", "dave@corp.com", "--ttl", "1h")
	regToken := strings.TrimSpace(out[strings.LastIndex(out, " ")+1:])
	if !strings.HasPrefix(out, "registration token (valid 1h0m0s, single use): ") || regToken == "" {
		t.Fatalf("registration-token-issue: %q", out)
	}
	dave := c.with("PERMLEDGER_CONFIG_DIR", filepath.Join(t.TempDir(), "dave"))
	if out := dave.ok("davepw\n", "user-register", "--registration-token", regToken, "dave@corp.com"); !strings.HasSuffix(out, "logged in as dave@corp.com\n") {
		t.Errorf("register dave: %q", out)
	}
	daveLogin := decodeJSON[loginFile](t, readFile(t, filepath.Join(dave.env["PERMLEDGER_CONFIG_DIR"], "login.json")))
	dave.expect(0, `^dave@corp.com\n$`, "", "authenticate", daveLogin.Token)
	out = c.ok("", "token-regenerate", "-u", "bob@corp.com")
	bobToken := strings.TrimPrefix(strings.Split(out, "\n")[1], "new token: ")
	c.expect(0, `^bob@corp.com\n$`, "", "authenticate", bobToken)
	rootBefore := decodeJSON[loginFile](t, readFile(t, filepath.Join(c.env["PERMLEDGER_CONFIG_DIR"], "login.json")))
	c.expect(0, `^your tokens were revoked \(seq \d+\)\nnew token saved in `, "", "token-regenerate")
	rootAfter := decodeJSON[loginFile](t, readFile(t, filepath.Join(c.env["PERMLEDGER_CONFIG_DIR"], "login.json")))
	c.expect(1, "", `^permledger: unauthenticated: `, "authenticate", rootBefore.Token)
	c.expect(0, `^root@corp.com \(admin\)\n$`, "", "authenticate", rootAfter.Token)
	c.with("PERMLEDGER_TOKEN", bobToken).expect(2, "", `^permledger: forbidden: `, "user-list")
	return []string{regToken, daveLogin.Token, bobToken, rootBefore.Token, rootAfter.Token}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func cleanup(t *testing.T, c *cli) {
	c.expect(0, `^app.update.env.set allowed to bob@corp.com in app:web \(seq`, "", "grant", "bob@corp.com", "app.update.env.set", "app:web")
	c.expect(0, `^app.update.env.set reset for bob@corp.com in app:web \(seq`, "", "reset", "bob@corp.com", "app.update.env.set", "app:web")
	c.expect(0, `^role deployer given on team-create \(seq`, "", "role-default-add", "deployer", "team-create")
	c.expect(0, `^role deployer no longer given on team-create \(seq`, "", "role-default-remove", "deployer", "team-create")
	c.expect(2, "", `^permledger: failed_precondition: `, "role-remove", "deployer")
	c.expect(0, `^role deployer: removed app.read \(seq`, "", "role-permission-remove", "deployer", "app.read")
	c.expect(0, `^role deployer\(blue\) taken from bob@corp.com \(seq`, "", "role-dissociate", "deployer", "bob@corp.com", "blue")
	c.expect(0, `^role deployer removed \(seq`, "", "role-remove", "deployer")
	c.expect(0, `^user carol@corp.com deleted \(seq`, "", "user-delete", "carol@corp.com")
}

// operator covers the local commands through serve's admin socket and
// the metrics a few checks leave.
func operator(t *testing.T, c *cli, s *server) {
	c.expect(0, `^replayed: the read model was rebuilt from the log and swapped in at seq \d+\n$`, `applied \d+/\d+\n`, "replay")
	c.expect(0, `^verified: the read model matches the log at seq \d+ \(\d+ keys\)\n$`, `applied \d+/\d+\n`, "verify")
	c.expect(0, `^compacted: the read model's compaction debt went from \d+\.\d MiB to 0\.0 MiB in \d+\.\ds\n$`,
		`^compacting the read model \(estimated debt \d+\.\d MiB\)\n$`, "compact")
	res := decodeJSON[verifyResult](t, c.ok("", "verify", "--json"))
	if res.Seq == 0 || res.Keys == 0 || len(res.Differences) != 0 {
		t.Errorf("verify --json: %+v", res)
	}
	c.expect(0, `^allow \(R1\)\n$`, "", "check", "root@corp.com", "pool.create")
	status, body := httpGet(t, s.http+"/metrics")
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	for _, re := range []string{
		`permledger_check_duration_seconds_bucket\{decision="allow",interface="nats",le="5e-06"\} \d+`,
		`permledger_check_duration_seconds_count\{decision="deny",interface="nats"\} [1-9]`,
		`permledger_commands_total\{command="role-assign",outcome="appended"\} 1`,
		`permledger_commands_total\{command="role-assign",outcome="noop"\} 1`,
		`permledger_commands_total\{command="role-assign",outcome="not_found"\} 1`,
		`permledger_command_conflicts_total\{command="role-assign"\} 0`,
		`permledger_projector_applied_sequence [1-9]`,
		`permledger_projector_lag_sequences 0`,
		`permledger_readmodel_cache_hit_ratio \d`,
		`permledger_readmodel_cache_hits_total \d`,
		`permledger_readmodel_cache_misses_total \d`,
		`permledger_readmodel_compactions_running \d`,
		`permledger_readmodel_compaction_debt_bytes \d`,
	} {
		if !regexp.MustCompile(re).MatchString(body) {
			t.Errorf("/metrics lacks /%s/", re)
		}
	}
}

// TestEveryCommandHasHelp: `permledger help` lists every subcommand, and
// each one's -h says what it does with an example.
func TestEveryCommandHasHelp(t *testing.T) {
	list := permledger(t, "", "help").stdout
	for _, sc := range subcommands() {
		if !strings.Contains(list, "\n  "+sc.name+" ") {
			t.Errorf("help does not list %s", sc.name)
		}
		if sc.run == nil {
			continue
		}
		r := permledger(t, "", sc.name, "-h")
		if r.code != 0 || !strings.Contains(r.stderr, "usage: permledger "+sc.name) ||
			!strings.Contains(r.stderr, "example:\n  permledger "+sc.name) {
			t.Errorf("%s -h: exit %d, stderr %q; want the usage with an example", sc.name, r.code, r.stderr)
		}
	}
	r := permledger(t, "", "help", "register")
	if r.code != 0 || !strings.Contains(r.stdout, "usage: permledger user-register") {
		t.Errorf("help register: exit %d, %q", r.code, r.stdout)
	}
}
