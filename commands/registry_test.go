package commands_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/permledger/permledger/commands"
)

// Every command of SEMANTICS.md section 3 that is offered over the network;
// a new command must be added here, and tested.
var networkCommands = []string{
	"admin-set", "grant", "login", "migrate", "registration-mode-set", "registration-token-issue",
	"reset", "revoke", "role-add", "role-assign", "role-default-add", "role-default-remove",
	"role-dissociate", "role-permission-add", "role-permission-remove", "role-remove",
	"team-create", "token-regenerate", "user-approve", "user-create", "user-delete", "user-register",
}

func TestNames(t *testing.T) {
	if got, want := commands.Names(), networkCommands; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %v, want %v", got, want)
	}
	if _, err := commands.Parse(commands.RootUserCreateName, nil); err != nil {
		t.Errorf("root-user-create is registered for the local path: %v", err)
	}
}

func TestAuth(t *testing.T) {
	want := map[string]commands.Auth{"login": commands.AuthNone, "user-register": commands.AuthOptional,
		commands.RootUserCreateName: commands.AuthNone}
	for _, name := range append(commands.Names(), commands.RootUserCreateName) {
		cmd, err := commands.Parse(name, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := cmd.Name(), name; got != want {
			t.Errorf("Parse(%q).Name() = %q", want, got)
		}
		if got, want := cmd.Auth(), want[name]; got != want {
			t.Errorf("%s: Auth() = %v, want %v", name, got, want)
		}
	}
}

// Parse is strict for every command: unknown fields, wrong types, trailing
// data and non-objects are invalid_argument; absent arguments are {}.
func TestParse(t *testing.T) {
	for _, name := range append(commands.Names(), commands.RootUserCreateName) {
		for _, c := range []struct{ label, args string }{
			{"unknown field", `{"no_such_field":1}`},
			{"not an object", `[1]`},
			{"a string", `"x"`},
			{"trailing data", `{}{}`},
			{"truncated", `{"user":`},
		} {
			t.Run(name+"/"+c.label, func(t *testing.T) {
				if _, err := commands.Parse(name, json.RawMessage(c.args)); !errors.Is(err, commands.ErrInvalidArgument) {
					t.Errorf("Parse(%s) error = %v, want invalid_argument", c.args, err)
				}
			})
		}
		for _, args := range []string{``, `  `, `{}`} {
			if _, err := commands.Parse(name, json.RawMessage(args)); err != nil {
				t.Errorf("%s: Parse(%q) = %v, want no error", name, args, err)
			}
		}
	}
	if _, err := commands.Parse("role-create", nil); !errors.Is(err, commands.ErrInvalidArgument) {
		t.Errorf("unknown command: error = %v, want invalid_argument", err)
	}
}

// Arguments are named as in SEMANTICS.md; a key spelled otherwise is an
// unknown field, not an alias (and two spellings cannot disagree).
func TestParseKeysAreCaseSensitive(t *testing.T) {
	for _, args := range []string{`{"USER":"bob"}`, `{"user":"bob","User":"carol"}`} {
		if _, err := commands.Parse("user-delete", json.RawMessage(args)); !errors.Is(err, commands.ErrInvalidArgument) {
			t.Errorf("Parse(%s) error = %v, want invalid_argument", args, err)
		}
	}
}

var hexFingerprint = regexp.MustCompile(`^[0-9a-f]{32}$`)

// A fingerprint never holds a secret: commands differing only in a password
// share it; commands naming different users do not.
func TestFingerprint(t *testing.T) {
	for _, name := range []string{"user-create", "user-register", "login", commands.RootUserCreateName} {
		t.Run(name, func(t *testing.T) {
			fp := func(args string) (string, string) {
				cmd, err := commands.Parse(name, json.RawMessage(args))
				if err != nil {
					t.Fatal(err)
				}
				return commands.Fingerprint(cmd), commands.FingerprintInputForTest(cmd)
			}
			a, inA := fp(`{"user":"bob","password":"hunter2-secret"}`)
			b, _ := fp(`{"user":"bob","password":"other-secret"}`)
			c, _ := fp(`{"user":"carol","password":"hunter2-secret"}`)
			if a != b {
				t.Errorf("passwords change the fingerprint: %s != %s", a, b)
			}
			if a == c {
				t.Errorf("different users share the fingerprint %s", a)
			}
			if !hexFingerprint.MatchString(a) {
				t.Errorf("fingerprint %q is not 128 bits of hex", a)
			}
			if strings.Contains(inA, "hunter2") || strings.Contains(a, "hunter2") {
				t.Errorf("the fingerprint's input %s holds the password", inA)
			}
		})
	}
	t.Run("registration token", func(t *testing.T) {
		cmd, err := commands.Parse("user-register", json.RawMessage(`{"user":"bob","password":"pw","registration_token":"reg-secret"}`))
		if err != nil {
			t.Fatal(err)
		}
		if in := commands.FingerprintInputForTest(cmd); strings.Contains(in, "reg-secret") {
			t.Errorf("the fingerprint's input %s holds the registration token", in)
		}
	})
	t.Run("other commands are fingerprinted by their arguments", func(t *testing.T) {
		a, _ := commands.Parse("role-assign", json.RawMessage(`{"role":"r","user":"bob","value":"blue"}`))
		b, _ := commands.Parse("role-dissociate", json.RawMessage(`{"role":"r","user":"bob","value":"blue"}`))
		c, _ := commands.Parse("role-assign", json.RawMessage(`{"role":"r","user":"bob","value":"red"}`))
		if commands.Fingerprint(a) == commands.Fingerprint(b) {
			t.Errorf("two commands with the same arguments share a fingerprint")
		}
		if commands.Fingerprint(a) == commands.Fingerprint(c) {
			t.Errorf("different values share a fingerprint")
		}
	})
}

// A Secret prints without its plaintext (R-tokens: shown once).
func TestSecretString(t *testing.T) {
	s, err := commands.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s); strings.Contains(got, s.Plain) {
		t.Errorf("Secret prints as %q, with its plaintext", got)
	}
	if got, want := s.Hash, commands.HashToken(s.Plain); got != want {
		t.Errorf("hash = %s, want %s", got, want)
	}
	if n := len(strings.TrimPrefix(s.Plain, "pl_")); n < 22 { // 128 bits of base64
		t.Errorf("token %q is shorter than 128 bits", s.Plain)
	}
}
