package commands

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"

	"github.com/permledger/permledger/internal/strictjson"
)

// Auth says whether a command needs an actor.
type Auth int

const (
	// AuthRequired: the command needs a valid token.
	AuthRequired Auth = iota
	// AuthOptional: a token, if given, must be valid (user-register).
	AuthOptional
	// AuthNone: no actor (login, and the local root-user-create).
	AuthNone
)

// Command is one parsed command.
type Command interface {
	// Name is the command's name, e.g. "role-assign".
	Name() string
	// Auth says whether the command needs an actor.
	Auth() Auth
	// Decide validates the command against the state and returns the events
	// to append (none for a no-op) or an error wrapping a sentinel.
	Decide(st State, in Input) (Outcome, error)
}

// withPassword is a command carrying a password the handler must hash
// before Decide.
type withPassword interface {
	password() string
}

// issuesToken is a command that may return a newly minted token.
type issuesToken interface {
	issuesToken() bool
}

// redacted is a command whose fingerprint must leave secrets out.
type redacted interface {
	fingerprintArgs() any
}

var registry = map[string]func() Command{}

func register(name string, mk func() Command) { registry[name] = mk }

// Names lists every command that can be submitted over the network.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		if n != RootUserCreateName {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Parse decodes a command's arguments strictly: unknown fields, wrong types
// and trailing data are invalid_argument.
func Parse(name string, args json.RawMessage) (Command, error) {
	mk, ok := registry[name]
	if !ok {
		return nil, invalid("unknown command %q", name)
	}
	c := mk()
	if len(bytes.TrimSpace(args)) == 0 {
		args = []byte("{}")
	}
	if err := strictjson.Unmarshal(args, c); err != nil {
		return nil, invalid("%s: arguments: %v", name, err)
	}
	return c, nil
}

// Fingerprint identifies a command's arguments without its secrets, so a
// command id reused for a different command can be told apart.
func Fingerprint(c Command) string {
	var v any = c
	if r, ok := c.(redacted); ok {
		v = r.fingerprintArgs()
	}
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(append([]byte(c.Name()+"\x00"), b...))
	return hex.EncodeToString(sum[:16])
}
