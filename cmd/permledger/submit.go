package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/events"
)

// cmdFlags are the flags of a subcommand that submits a command.
type cmdFlags struct {
	natsFlags
	commandID string
}

func (f *cmdFlags) register(fs *flag.FlagSet, e *environ) {
	f.natsFlags.register(fs, e)
	fs.StringVar(&f.commandID, "command-id", "", "the command's `id` (default: a new one); resubmitting the id of a command that succeeded appends nothing")
}

// submitted is one command a subcommand sends, and what it says when done.
type submitted struct {
	name string         // the command, as in permledger.cmd.NAME
	args map[string]any // its arguments, named as in SEMANTICS.md section 3
	done string         // e.g. "role deployer added"
	// anonymous: the command may go without an actor (user-register
	// still acts as the logged-in user, if any).
	anonymous bool
	// tokenless: the command never sends a token (login).
	tokenless bool
}

// send submits the command with the actor's token and a command id.
func (f *cmdFlags) send(ctx context.Context, s submitted) (api.CommandReply, error) {
	token := f.token
	switch {
	case s.tokenless:
		token = ""
	case !s.anonymous:
		var err error
		if token, err = f.actor(); err != nil {
			return api.CommandReply{}, err
		}
	}
	if f.commandID == "" {
		f.commandID = events.NewID(time.Now())
	}
	args, err := json.Marshal(s.args)
	if err != nil {
		return api.CommandReply{}, err
	}
	var rep api.CommandReply
	err = f.call(ctx, func(ctx context.Context, c *client.Client) error {
		rep, err = c.Command(ctx, s.name, f.commandID, token, json.RawMessage(args))
		return err
	})
	return rep, err
}

// report prints a command's outcome: its JSON with --json, else a line
// saying what was done, or that it was so already, with the sequence.
func (f *cmdFlags) report(e *environ, s submitted, rep api.CommandReply) error {
	if f.json {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	switch {
	case rep.Repeat:
		fmt.Fprintf(e.stdout, "%s (command %s was done before: nothing appended, seq %d)\n", s.done, f.commandID, rep.Seq)
	case rep.Events == 0:
		fmt.Fprintf(e.stdout, "%s: already so, nothing appended (seq %d)\n", s.done, rep.Seq)
	default:
		fmt.Fprintf(e.stdout, "%s (seq %d)\n", s.done, rep.Seq)
	}
	return nil
}

// submitter is a subcommand that submits one command built from its
// positional arguments (and flags it registers itself).
type submitter struct {
	usage    usage
	min, max int // positional arguments (max < 0: any number)
	flags    func(fs *flag.FlagSet)
	build    func(ctx context.Context, e *environ, pos []string) (submitted, error)
	// after, if set, handles the outcome instead of report (saving a
	// token, say); with --json it must still print the reply as JSON.
	after func(e *environ, f *cmdFlags, s submitted, rep api.CommandReply) error
}

func (c submitter) run(ctx context.Context, e *environ, args []string) error {
	var f cmdFlags
	fs := newFlagSet(e, c.usage)
	f.register(fs, e)
	if c.flags != nil {
		c.flags(fs)
	}
	pos, err := parseArgs(fs, args, c.min, c.max)
	if err != nil {
		return helpOK(err)
	}
	s, err := c.build(ctx, e, pos)
	if err != nil {
		return failed(err)
	}
	rep, err := f.send(ctx, s)
	if err != nil {
		return failed(err)
	}
	if c.after != nil {
		return failed(c.after(e, &f, s, rep))
	}
	return f.report(e, s, rep)
}

// argsError is an invalid_argument error about a command line argument.
func argsError(format string, a ...any) error {
	return api.Errorf(api.CodeInvalidArgument, format, a...)
}
