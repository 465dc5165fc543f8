package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/permledger/permledger/api"
)

var userRegisterUsage = usage{
	name:     "user-register",
	synopsis: "[flags] USER",
	about: `Registers USER (C2; alias: register) with a password read from the
terminal without echo (twice), or one line from stdin. Who may register
depends on the registration mode (registration-mode-set): while no admin
exists, the first user to register becomes one. Logged in as an admin, you
register someone else; otherwise you register yourself, and when the new
user is active its token is saved as with login.`,
	example: `permledger user-register alice@corp.com
echo -n 's3cret' | permledger register --registration-token "$REGTOKEN" bob@corp.com`,
}

func runUserRegister(ctx context.Context, e *environ, args []string) error {
	var regToken string
	return submitter{usage: userRegisterUsage, min: 1, max: 1,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&regToken, "registration-token", e.getenv("PERMLEDGER_REGISTRATION_TOKEN"),
				"a registration `token` (registration-token-issue) (env PERMLEDGER_REGISTRATION_TOKEN)")
			fs.Lookup("registration-token").DefValue = ""
		},
		build: func(ctx context.Context, e *environ, pos []string) (submitted, error) {
			pw, err := readPassword(ctx, e, pos[0])
			args := map[string]any{"user": pos[0], "password": pw}
			if regToken != "" {
				args["registration_token"] = regToken
			}
			return submitted{name: "user-register", args: args, anonymous: true, done: "user " + pos[0] + " registered"}, err
		},
		after: afterRegister,
	}.run(ctx, e, args)
}

// afterRegister saves the new user's token when the registration was
// anonymous (the user registered itself) and the user is active.
func afterRegister(e *environ, f *cmdFlags, s submitted, rep api.CommandReply) error {
	status := "pending approval by an admin"
	if rep.Token != "" {
		status = "active"
	}
	save := rep.Token != "" && f.token == ""
	if save {
		if _, err := writeLogin(e, loginFile{Server: f.server, User: s.args["user"].(string), Token: rep.Token}); err != nil {
			return fmt.Errorf("registered, but saving the token failed: %w", err)
		}
	}
	if f.json {
		return f.report(e, s, rep)
	}
	fmt.Fprintf(e.stdout, "user %s registered, %s (seq %d)\n", s.args["user"], status, rep.Seq)
	if save {
		fmt.Fprintf(e.stdout, "logged in as %s\n", s.args["user"])
	}
	return nil
}

var userCreateUsage = usage{
	name:     "user-create",
	synopsis: "[flags] USER",
	about: `Creates USER, active, with a password read from the terminal without
echo (twice), or one line from stdin (C3). It receives the user-create
default roles. Needs user.create.`,
	example: `permledger user-create bob@corp.com
echo -n 'bobpw' | permledger user-create bob@corp.com`,
}

func runUserCreate(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: userCreateUsage, min: 1, max: 1,
		build: func(ctx context.Context, e *environ, pos []string) (submitted, error) {
			pw, err := readPassword(ctx, e, pos[0])
			return submitted{name: "user-create", args: map[string]any{"user": pos[0], "password": pw},
				done: "user " + pos[0] + " created"}, err
		}}.run(ctx, e, args)
}

var userApproveUsage = usage{
	name:     "user-approve",
	synopsis: "[flags] USER",
	about:    `Activates USER, who registered and waits for approval (C4). Admin only.`,
	example:  `permledger user-approve carol@corp.com`,
}

func runUserApprove(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: userApproveUsage, min: 1, max: 1,
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			return submitted{name: "user-approve", args: map[string]any{"user": pos[0]}, done: "user " + pos[0] + " approved"}, nil
		}}.run(ctx, e, args)
}

var userDeleteUsage = usage{
	name:     "user-delete",
	synopsis: "[flags] USER",
	about: `Deletes USER with its tokens, roles and overrides (C5). A later user of
the same name starts empty. Needs user.delete in user:USER.`,
	example: `permledger user-delete bob@corp.com`,
}

func runUserDelete(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: userDeleteUsage, min: 1, max: 1,
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			return submitted{name: "user-delete", args: map[string]any{"user": pos[0]}, done: "user " + pos[0] + " deleted"}, nil
		}}.run(ctx, e, args)
}

var adminSetUsage = usage{
	name:     "admin-set",
	synopsis: "[flags] USER on|off",
	about: `Sets (on) or clears (off) USER's admin flag (C6; Deis perms:create
--admin). An admin passes every check (R1). Admin only.`,
	example: `permledger admin-set alice@corp.com on
permledger admin-set alice@corp.com off`,
}

func runAdminSet(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: adminSetUsage, min: 2, max: 2,
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			on, err := onOff(pos[1])
			done := fmt.Sprintf("user %s is an admin", pos[0])
			if !on {
				done = fmt.Sprintf("user %s is not an admin", pos[0])
			}
			return submitted{name: "admin-set", args: map[string]any{"user": pos[0], "admin": on}, done: done}, err
		}}.run(ctx, e, args)
}

// onOff parses on/off (and true/false, yes/no).
func onOff(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "on", "true", "yes":
		return true, nil
	case "off", "false", "no":
		return false, nil
	}
	return false, argsError("%q is neither on nor off", s)
}

var teamCreateUsage = usage{
	name:     "team-create",
	synopsis: "[flags] TEAM",
	about: `Creates TEAM (C7); you receive every team-create default role for it.
Needs team.create.`,
	example: `permledger team-create blue`,
}

func runTeamCreate(ctx context.Context, e *environ, args []string) error {
	return submitter{usage: teamCreateUsage, min: 1, max: 1,
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			return submitted{name: "team-create", args: map[string]any{"team": pos[0]}, done: "team " + pos[0] + " created"}, nil
		}}.run(ctx, e, args)
}
