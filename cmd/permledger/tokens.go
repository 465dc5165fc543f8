package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/permledger/permledger/api"
)

var tokenRegenerateUsage = usage{
	name:     "token-regenerate",
	synopsis: "[-u USER | --all] [flags]",
	about: `Revokes tokens and issues a new one (C16). Alone: your own tokens are
revoked and the new token replaces the saved login. With -u USER: USER's
tokens (needs apikey.update in user:USER), and the new token is printed.
With --all (admin only): every token of every user, yours too, and none is
issued: everyone logs in again.`,
	example: `permledger token-regenerate
permledger token-regenerate -u bob@corp.com
permledger token-regenerate --all`,
}

func runTokenRegenerate(ctx context.Context, e *environ, args []string) error {
	var user string
	var all bool
	return submitter{usage: tokenRegenerateUsage, min: 0, max: 0,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&user, "u", "", "the `user` whose tokens to revoke (default: yourself)")
			fs.BoolVar(&all, "all", false, "revoke every token of every user (admin only)")
		},
		build: func(context.Context, *environ, []string) (submitted, error) {
			s := submitted{name: "token-regenerate", args: map[string]any{}, done: "your tokens were revoked"}
			switch {
			case all && user != "":
				return s, argsError("-u %q and --all are exclusive", user)
			case all:
				s.args["all"], s.done = true, "every token of every user was revoked"
			case user != "":
				s.args["user"], s.done = user, "the tokens of "+user+" were revoked"
			}
			return s, nil
		},
		after: afterTokenRegenerate,
	}.run(ctx, e, args)
}

// afterTokenRegenerate saves a new token of the logged-in user in the
// login file (when the login file's token was the one used), else prints it.
func afterTokenRegenerate(e *environ, f *cmdFlags, s submitted, rep api.CommandReply) error {
	user, _ := s.args["user"].(string)
	own := user == "" || user == f.login.User
	saved := ""
	if rep.Token != "" && own && f.login.Token != "" && f.token == f.login.Token {
		lf := f.login
		lf.Token = rep.Token
		path, err := writeLogin(e, lf)
		if err != nil {
			return fmt.Errorf("token regenerated, but saving it failed: %w", err)
		}
		saved = path
	}
	if f.json {
		return f.report(e, s, rep)
	}
	fmt.Fprintf(e.stdout, "%s (seq %d)\n", s.done, rep.Seq)
	switch {
	case saved != "":
		fmt.Fprintf(e.stdout, "new token saved in %s\n", saved)
	case rep.Token != "":
		fmt.Fprintf(e.stdout, "new token: %s\n", rep.Token)
	default:
		fmt.Fprintln(e.stdout, "log in again: permledger login USER")
	}
	return nil
}

var registrationModeSetUsage = usage{
	name:     "registration-mode-set",
	synopsis: "[flags] enabled|admin_only|disabled",
	about: `Sets who may register (C18; admin only): enabled (anyone), admin_only
(admins register others; the default) or disabled (nobody). --approval
makes users who register themselves in enabled mode wait for user-approve;
every call sets it (off unless given).`,
	example: `permledger registration-mode-set enabled --approval
permledger registration-mode-set admin_only`,
}

func runRegistrationModeSet(ctx context.Context, e *environ, args []string) error {
	var approval bool
	return submitter{usage: registrationModeSetUsage, min: 1, max: 1,
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&approval, "approval", false, "self-registered users wait for user-approve (enabled mode)")
		},
		build: func(_ context.Context, _ *environ, pos []string) (submitted, error) {
			done := "registration mode " + pos[0]
			if approval {
				done += ", with approval"
			}
			return submitted{name: "registration-mode-set", args: map[string]any{"mode": pos[0], "approval": approval}, done: done}, nil
		}}.run(ctx, e, args)
}

var registrationTokenIssueUsage = usage{
	name:     "registration-token-issue",
	synopsis: "[--user USER] [--ttl DURATION] [flags]",
	about: `Issues a single-use registration token (C19; admin only) and prints it:
its holder may register in any mode, active at once, as USER (or any name
without --user), until the token expires or is spent.`,
	example: `permledger registration-token-issue --user dave@corp.com --ttl 48h`,
}

func runRegistrationTokenIssue(ctx context.Context, e *environ, args []string) error {
	var user string
	var ttl time.Duration
	return submitter{usage: registrationTokenIssueUsage, min: 0, max: 0,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&user, "user", "", "the only `user` the token may register (default: any name)")
			fs.DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token is valid (`duration`, whole seconds)")
		},
		build: func(context.Context, *environ, []string) (submitted, error) {
			args := map[string]any{"ttl_seconds": int64(ttl / time.Second)}
			if user != "" {
				args["user"] = user
			}
			return submitted{name: "registration-token-issue", args: args, done: "registration token issued"}, nil
		},
		after: func(e *environ, f *cmdFlags, s submitted, rep api.CommandReply) error {
			if f.json {
				return f.report(e, s, rep)
			}
			fmt.Fprintf(e.stdout, "registration token (valid %s, single use): %s\n", ttl, rep.Token)
			return nil
		},
	}.run(ctx, e, args)
}
