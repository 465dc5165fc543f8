package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// environ is the process's outside world as run received it.
type environ struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// envOr is the environment variable name, or def when it is unset or empty:
// environment variables are only ever flag defaults.
func (e *environ) envOr(name, def string) string {
	if v := e.getenv(name); v != "" {
		return v
	}
	return def
}

// subcommand is one `permledger NAME`.
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e *environ, args []string) error
}

func subcommands() []subcommand {
	return []subcommand{
		{"serve", "run the ledger: NATS API, HTTP API, admin socket", runServe},
		{"root-user-create", "create or repair the root user (local operator command)", runRootUserCreate},
		{"replay", "rebuild the read model from the log and swap it in (local operator command)", runReplay},
		{"verify", "compare the read model with one rebuilt from the log (local operator command)", runVerify},
		{"compact", "compact the read model now, after a bulk load (local operator command)", runCompact},
		{"conformance", "run conformance scenarios against fresh embedded ledgers", runConformance},

		{"login", "log in and save the token (login file)", runLogin},
		{"logout", "forget the saved login", runLogout},
		{"user-register", "register a user (alias: register)", runUserRegister},
		{"user-create", "create an active user", runUserCreate},
		{"user-approve", "activate a user waiting for approval (admin)", runUserApprove},
		{"user-delete", "delete a user with its tokens, roles and overrides", runUserDelete},
		{"user-list", "list users with their roles (admin)", runUserList},
		{"admin-set", "set or clear a user's admin flag (admin)", runAdminSet},
		{"token-regenerate", "revoke tokens and issue a new one: yours, -u USER's, or --all", runTokenRegenerate},
		{"registration-mode-set", "set who may register: enabled, admin_only, disabled (admin)", runRegistrationModeSet},
		{"registration-token-issue", "issue a single-use registration token (admin)", runRegistrationTokenIssue},
		{"team-create", "create a team", runTeamCreate},
		{"migrate", "migrate a tsuru, Deis or pypicloud installation (admin); migrate diff RUN", runMigrate},

		{"role-add", "create a role in a context", runRoleAdd},
		{"role-remove", "remove a role nobody holds", runRoleRemove},
		{"role-list", "list roles with their permissions", runRoleList},
		{"role-info", "describe a role", runRoleInfo},
		{"role-permission-add", "add permissions to a role", rolePermissions("role-permission-add", "added", rolePermissionAddUsage)},
		{"role-permission-remove", "remove permissions from a role", rolePermissions("role-permission-remove", "removed", rolePermissionRemoveUsage)},
		{"role-assign", "assign a role to a user", assignment("role-assign", "assigned to", roleAssignUsage)},
		{"role-dissociate", "take a role from a user", assignment("role-dissociate", "taken from", roleDissociateUsage)},
		{"role-default-add", "give a role on user-create or team-create", roleDefault("role-default-add", "given on", roleDefaultAddUsage)},
		{"role-default-remove", "stop giving a role on an event", roleDefault("role-default-remove", "no longer given on", roleDefaultRemoveUsage)},
		{"grant", "explicitly allow a permission to a user", override("grant", "allowed to", grantUsage)},
		{"revoke", "explicitly deny a permission to a user", override("revoke", "denied to", revokeUsage)},
		{"reset", "remove an explicit allow or deny", override("reset", "reset for", resetUsage)},
		{"permission-list", "list the permission tree", runPermissionList},

		{"check", "ask whether a user holds a permission (exit 0 allow, 1 deny)", runCheck},
		{"explain", "explain a check: rule, matching holding, its event", runExplain},
		{"authenticate", "resolve a token to its user", runAuthenticate},
		{"perms-view", "show what a user holds", runPermsView},
		{"history", "list what changed a user", runHistory},
		{"help", "list the commands, or show one's usage: permledger help COMMAND", nil},
	}
}

// aliases are other names of subcommands.
var aliases = map[string]string{"register": "user-register"}

// lookup finds a subcommand by name or alias.
func lookup(name string) (subcommand, bool) {
	if real, ok := aliases[name]; ok {
		name = real
	}
	for _, c := range subcommands() {
		if c.name == name && c.run != nil {
			return c, true
		}
	}
	return subcommand{}, false
}

// run is the whole program: it dispatches args[0] to its subcommand and
// returns an *exitError for a non-zero exit.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &environ{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
		return usageError()
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return runHelp(ctx, e, args[1:])
	}
	if c, ok := lookup(args[0]); ok {
		return c.run(ctx, e, args[1:])
	}
	fmt.Fprintf(stderr, "permledger: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return usageError()
}

func printUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString("permledger: an event-sourced permission ledger (NATS JetStream log, Pebble read model)\n\n")
	b.WriteString("usage: permledger COMMAND [flags] [args]\n\ncommands:\n")
	for _, c := range subcommands() {
		fmt.Fprintf(&b, "  %-24s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Run 'permledger COMMAND -h' for a command's flags and an example. Flags go
anywhere among the arguments. Client commands talk to a serve over NATS:
--server, else PERMLEDGER_NATS_URL, else the server of the last login;
they act with the token saved by login, or PERMLEDGER_TOKEN. --json prints
the server's reply as JSON. NATS credentials and TLS come from the
environment: PERMLEDGER_NATS_USER, _PASSWORD, _TOKEN, _NKEY, _CREDS,
_TLS_CA, _TLS_CERT, _TLS_KEY (PERMLEDGER_NATS_ prefix).

Exit status: 0 success (check: allow), 1 check denied or verify found
differences, 2 an error (printed as "permledger: CODE: MESSAGE").
`)
	io.WriteString(w, b.String())
}

// runHelp lists the commands on stdout, or prints one command's usage there.
func runHelp(ctx context.Context, e *environ, args []string) error {
	if len(args) == 0 {
		printUsage(e.stdout)
		return nil
	}
	if c, ok := lookup(args[0]); ok {
		out := *e
		out.stderr = e.stdout
		return c.run(ctx, &out, []string{"-h"})
	}
	fmt.Fprintf(e.stderr, "permledger help: unknown command %q\n\n", args[0])
	printUsage(e.stderr)
	return usageError()
}
