package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/permledger/permledger/api"
)

// Target is one fresh, empty ledger that a scenario runs against.
type Target interface {
	// Command submits command NAME (SEMANTICS.md section 3, e.g. "role-assign") over the real
	// NATS interface with the actor's token ("" = no actor) and a fresh command id.
	// A ledger error comes back as an error carrying *api.Error (use api.CodeOf).
	Command(ctx context.Context, name, token string, args json.RawMessage) (api.CommandReply, error)
	// RootUserCreate runs the local operator command (never over the network).
	RootUserCreate(ctx context.Context, user, password string) (api.CommandReply, error)
	Check(ctx context.Context, req api.CheckRequest) (api.CheckReply, error)
	Authenticate(ctx context.Context, token string) (user string, err error)
	// LastSeq is the stream's last sequence.
	LastSeq(ctx context.Context) (uint64, error)
	Close() error
}

// NewTarget makes a fresh ledger for one scenario.
type NewTarget func(ctx context.Context) (Target, error)

// Scenario is one parsed scenario file.
type Scenario struct {
	Name  string
	Rules []string
	Steps []Step
	// File is the path the scenario was parsed from.
	File string
}

// Step is one step of a scenario: exactly one of Do, Check and Authenticate
// is set.
type Step struct {
	// Num is the step's 1-based position in the file.
	Num          int
	Do           *DoStep
	Check        *CheckStep
	Authenticate *AuthenticateStep
}

// DoStep submits a command.
type DoStep struct {
	Command string // a command name of SEMANTICS.md section 3
	As      string // actor user name; "" for none
	Token   string // saved token name used as the actor's token; "" for none
	// Args is the JSON object of the command's arguments (never nil), before
	// `$name` substitution.
	Args        json.RawMessage
	ExpectError string // error code the command must fail with; "" = must succeed
	SaveToken   string // name to keep the returned token under
	NoEvents    bool   // expect_events: 0
	Mark        string // name to remember the stream's last sequence under
}

// CheckStep asks a permission check.
type CheckStep struct {
	User        string // the subject by name, or
	Token       string // the subject by saved token name
	Permission  string
	Contexts    []string // never nil
	Expect      string   // "allow" or "deny"; "" when ExpectError is set
	ExpectRule  string   // "R1".."R5" or ""
	ExpectError string
	At          string // mark name for a point-in-time check, or ""
}

// AuthenticateStep resolves a saved token to its user.
type AuthenticateStep struct {
	Token       string // saved token name
	Expect      string // the user name; "" when ExpectError is set
	ExpectError string
}

// String describes the step for messages, e.g.
// "do role-assign as bob@corp.com" or "check bob app.read [team:blue]".
func (s Step) String() string {
	switch {
	case s.Do != nil:
		return s.Do.String()
	case s.Check != nil:
		return s.Check.String()
	case s.Authenticate != nil:
		return "authenticate token " + s.Authenticate.Token
	}
	return "empty step"
}

func (d *DoStep) String() string {
	switch {
	case d.As != "":
		return "do " + d.Command + " as " + d.As
	case d.Token != "":
		return "do " + d.Command + " with token " + d.Token
	}
	return "do " + d.Command
}

func (c *CheckStep) String() string {
	who := c.User
	if c.Token != "" {
		who = "token " + c.Token
	}
	s := fmt.Sprintf("check %s %s [%s]", who, c.Permission, strings.Join(c.Contexts, " "))
	if c.At != "" {
		s += " at " + c.At
	}
	return s
}
