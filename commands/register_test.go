package commands_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// Registration tokens in the fixtures, by plaintext.
func regToken(plain, user string, expiresIn int64) events.Payload {
	return events.RegistrationTokenIssued{TokenHash: commands.HashToken(plain), User: user, ExpiresAt: now.Unix() + expiresIn}
}

func spent(plain, user string) events.Payload {
	return events.RegistrationTokenSpent{TokenHash: commands.HashToken(plain), User: user}
}

func registered(name, status string, admin bool) events.Payload {
	return events.UserCreated{User: name, PasswordHash: pwHash, Status: status, Admin: admin}
}

// C2, section 4.
func TestUserRegister(t *testing.T) {
	inv, unauth, forb, exists := commands.ErrInvalidArgument, commands.ErrUnauthenticated, commands.ErrForbidden, commands.ErrAlreadyExists
	active, pend := events.StatusActive, events.StatusPending
	issued := events.TokenIssued{User: "dave", TokenHash: tokHash}
	noAdmin := evs(events.UserAdminSet{User: "root", Admin: false}) // R-first-user is on again
	tokens := flat(regToken("reg-any", "", 3600), regToken("reg-dave", "dave", 3600), regToken("reg-old", "", -1),
		regToken("reg-used", "", 3600), spent("reg-used", "erin"))
	dave := `{"user":"dave","password":"pw"}`
	withTok := func(tok string) string { return `{"user":"dave","password":"pw","registration_token":` + js(tok) + `}` }
	spend := func(tok string) events.Payload { return spent(tok, "dave") }
	runCases(t, "user-register", []decideCase{
		// R-first-user, in every mode.
		{name: "first user on an empty ledger is an active admin", empty: true, args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user once every admin is demoted (admin_only)", given: noAdmin, args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user in disabled mode", given: flat(noAdmin, mode("disabled", false)), args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user in enabled mode", given: flat(noAdmin, mode("enabled", false)), args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user in enabled mode with approval is not pending", given: flat(noAdmin, mode("enabled", true)), args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user once the admin is deleted", given: evs(events.UserDeleted{User: "root"}, mode("disabled", false)), args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user registered by a non-admin actor", actor: "bob", given: noAdmin, args: dave,
			want: evs(registered("dave", active, true), issued), token: true},
		{name: "a pending admin does not count as an admin", given: flat(noAdmin, events.UserCreated{User: "ann", Status: pend, Admin: true}),
			args: dave, want: evs(registered("dave", active, true), issued), token: true},
		{name: "first user gets the user-create defaults", given: flat(noAdmin, role("reader", "global"), defaultOn("reader", "user-create")),
			args: dave, want: evs(registered("dave", active, true), assign("reader", "dave", ""), issued), token: true},
		{name: "first user: a name that exists", given: noAdmin, args: `{"user":"bob","password":"pw"}`, err: exists},

		// admin_only (a new ledger's mode).
		{name: "admin_only: an admin registers an active non-admin", actor: "root", args: dave,
			want: evs(registered("dave", active, false), issued), token: true},
		{name: "admin_only: anonymous", args: dave, err: forb},
		{name: "admin_only: a non-admin actor", actor: "bob", args: dave, err: forb},
		{name: "admin_only: AllowAll without the admin flag", actor: "bob", given: allowAll("bob"), args: dave, err: forb},
		{name: "admin_only: an existing name", actor: "root", args: `{"user":"bob","password":"pw"}`, err: exists, msg: "bob"},
		{name: "admin_only: forbidden before already_exists", args: `{"user":"bob","password":"pw"}`, err: forb},

		// enabled, with and without approval.
		{name: "enabled: anonymous is active", given: evs(mode("enabled", false)), args: dave,
			want: evs(registered("dave", active, false), issued), token: true},
		{name: "enabled: a non-admin registers someone", actor: "bob", given: evs(mode("enabled", false)), args: dave,
			want: evs(registered("dave", active, false), issued), token: true},
		{name: "enabled: user-create defaults", given: flat(mode("enabled", false), role("reader", "global"), defaultOn("reader", "user-create")),
			args: dave, want: evs(registered("dave", active, false), assign("reader", "dave", ""), issued), token: true},
		{name: "approval: anonymous is pending, without a token", given: evs(mode("enabled", true)), args: dave,
			want: evs(registered("dave", pend, false))},
		{name: "approval: pending users get the user-create defaults", given: flat(mode("enabled", true), role("reader", "global"), defaultOn("reader", "user-create")),
			args: dave, want: evs(registered("dave", pend, false), assign("reader", "dave", ""))},
		{name: "approval: a non-admin registering someone else", actor: "bob", given: evs(mode("enabled", true)), args: dave,
			want: evs(registered("dave", pend, false))},
		{name: "approval: an admin's registration is not pending", actor: "root", given: evs(mode("enabled", true)), args: dave,
			want: evs(registered("dave", active, false), issued), token: true},
		{name: "enabled: an existing name", given: evs(mode("enabled", true)), args: `{"user":"bob","password":"pw"}`, err: exists},

		// disabled.
		{name: "disabled: anonymous", given: evs(mode("disabled", false)), args: dave, err: forb},
		{name: "disabled: even an admin", actor: "root", given: evs(mode("disabled", false)), args: dave, err: forb},
		{name: "disabled: forbidden before already_exists", given: evs(mode("disabled", false)), args: `{"user":"bob","password":"pw"}`, err: forb},

		// Registration tokens.
		{name: "token in disabled mode: active at once, token spent", given: flat(mode("disabled", false), tokens), args: withTok("reg-any"),
			want: evs(registered("dave", active, false), spend("reg-any"), issued), token: true},
		{name: "token in admin_only mode", given: tokens, args: withTok("reg-any"),
			want: evs(registered("dave", active, false), spend("reg-any"), issued), token: true},
		{name: "token skips approval", given: flat(mode("enabled", true), tokens), args: withTok("reg-any"),
			want: evs(registered("dave", active, false), spend("reg-any"), issued), token: true},
		{name: "token naming the user", given: tokens, args: withTok("reg-dave"),
			want: evs(registered("dave", active, false), spend("reg-dave"), issued), token: true},
		{name: "token with user-create defaults", given: flat(tokens, role("reader", "global"), defaultOn("reader", "user-create")), args: withTok("reg-any"),
			want: evs(registered("dave", active, false), assign("reader", "dave", ""), spend("reg-any"), issued), token: true},
		{name: "token makes an admin only under R-first-user", given: flat(noAdmin, tokens), args: withTok("reg-any"),
			want: evs(registered("dave", active, true), spend("reg-any"), issued), token: true},
		{name: "token used by an admin actor", actor: "root", given: tokens, args: withTok("reg-any"),
			want: evs(registered("dave", active, false), spend("reg-any"), issued), token: true},
		{name: "unknown token", given: tokens, args: withTok("reg-ghost"), err: unauth},
		{name: "expired token", given: tokens, args: withTok("reg-old"), err: unauth},
		{name: "spent token", given: tokens, args: withTok("reg-used"), err: unauth},
		{name: "expired token where the mode would admit", given: flat(mode("enabled", false), tokens), args: withTok("reg-old"), err: unauth},
		{name: "unknown token where an admin actor would be admitted", actor: "root", given: tokens, args: withTok("reg-ghost"), err: unauth},
		{name: "unknown token under R-first-user", given: flat(noAdmin, tokens), args: withTok("reg-ghost"), err: unauth},
		{name: "spent token after its user was deleted", given: flat(tokens, user("dave"), spent("reg-dave", "dave"), events.UserDeleted{User: "dave"}),
			args: withTok("reg-dave"), err: unauth},
		{name: "token naming another user", given: tokens, args: `{"user":"erin","password":"pw","registration_token":"reg-dave"}`, err: forb, msg: "erin"},
		{name: "token naming another user, the name exists", given: tokens, args: `{"user":"bob","password":"pw","registration_token":"reg-dave"}`, err: forb},
		{name: "token: name exists", given: tokens, args: `{"user":"bob","password":"pw","registration_token":"reg-any"}`, err: exists},
		{name: "token naming a user created since", given: flat(tokens, user("dave")), args: withTok("reg-dave"), err: exists},

		// Arguments.
		{name: "73-byte password", args: `{"user":"dave","password":"` + strings.Repeat("p", 73) + `"}`, err: inv},
		{name: "73-byte password under R-first-user", empty: true, args: `{"user":"dave","password":"` + strings.Repeat("€", 24) + `p"}`, err: inv},
		{name: "empty password", given: evs(mode("enabled", false)), args: `{"user":"dave","password":""}`, err: inv},
		{name: "malformed name", given: evs(mode("enabled", false)), args: `{"user":"d ave","password":"pw"}`, err: inv},
		{name: "order: malformed before forbidden (disabled)", given: evs(mode("disabled", false)), args: `{"user":"","password":"pw"}`, err: inv},
		{name: "unknown field", given: evs(mode("enabled", false)), args: `{"user":"dave","password":"pw","admin":true}`, err: inv},
		{name: "token of the wrong type", args: `{"user":"dave","password":"pw","registration_token":1}`, err: inv},
	})
}

// The outcome's result says who was registered and how.
func TestUserRegisterResult(t *testing.T) {
	out, err := decide(t, newState(t, flat(base(), mode("enabled", true))...), "", "user-register", `{"user":"dave","password":"pw"}`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out.Result)
	if got, want := string(b), `{"user":"dave","status":"pending","admin":false}`; got != want {
		t.Errorf("result = %s, want %s", got, want)
	}
}

// C17
func TestLogin(t *testing.T) {
	inv, unauth := commands.ErrInvalidArgument, commands.ErrUnauthenticated
	issued := func(u string) []events.Payload { return evs(events.TokenIssued{User: u, TokenHash: tokHash}) }
	runCases(t, "login", []decideCase{
		{name: "right password", args: `{"user":"bob","password":"secret"}`, want: issued("bob"), token: true},
		{name: "an admin", args: `{"user":"root","password":"secret"}`, want: issued("root"), token: true},
		{name: "with an actor present it still logs in the named user", actor: "carol", args: `{"user":"bob","password":"secret"}`, want: issued("bob"), token: true},

		{name: "wrong password", args: `{"user":"bob","password":"wrong"}`, err: unauth},
		{name: "password differing in case", args: `{"user":"bob","password":"Secret"}`, err: unauth},
		{name: "unknown user", args: `{"user":"ghost","password":"secret"}`, err: unauth},
		{name: "user names are case-sensitive", args: `{"user":"Bob","password":"secret"}`, err: unauth},
		{name: "pending user with the right password", given: evs(pending("dave")), args: `{"user":"dave","password":"secret"}`, err: unauth},
		{name: "deleted user", given: evs(events.UserDeleted{User: "bob"}), args: `{"user":"bob","password":"secret"}`, err: unauth},
		{name: "user without a password (migrated)", given: evs(events.UserCreated{User: "dave", Status: events.StatusActive}),
			args: `{"user":"dave","password":"secret"}`, err: unauth},
		{name: "72-byte password for an unknown user", args: `{"user":"ghost","password":"` + strings.Repeat("p", 72) + `"}`, err: unauth},
		{name: "73-byte password", args: `{"user":"bob","password":"` + strings.Repeat("p", 73) + `"}`, err: inv},
		{name: "73 bytes in 25 characters", args: `{"user":"bob","password":"` + strings.Repeat("€", 24) + `p"}`, err: inv},
		{name: "empty password", args: `{"user":"bob","password":""}`, err: inv},
		{name: "missing password", args: `{"user":"bob"}`, err: inv},
		{name: "malformed name", args: `{"user":"b ob","password":"secret"}`, err: inv},
		{name: "unknown field", args: `{"user":"bob","password":"secret","ttl":1}`, err: inv},
	})
}

// C17: one message for every failure, so the answer never tells whether a user exists.
func TestLoginFailuresShareOneMessage(t *testing.T) {
	store := newState(t, flat(base(), pending("dave"), user("erin"), events.UserDeleted{User: "erin"})...)
	var first string
	for _, args := range []string{
		`{"user":"bob","password":"wrong"}`,
		`{"user":"ghost","password":"secret"}`,
		`{"user":"dave","password":"secret"}`,
		`{"user":"erin","password":"secret"}`,
	} {
		_, err := decide(t, store, "", "login", args)
		if !errors.Is(err, commands.ErrUnauthenticated) {
			t.Fatalf("%s: error = %v, want unauthenticated", args, err)
		}
		if first == "" {
			first = err.Error()
		}
		if got, want := err.Error(), first; got != want {
			t.Errorf("%s: message %q, want the same as the others, %q", args, got, want)
		}
		for _, leak := range []string{"bob", "ghost", "dave", "erin", "password", "pending"} {
			if strings.Contains(err.Error(), leak) {
				t.Errorf("%s: message %q names %q", args, err, leak)
			}
		}
	}
}

// C18
func TestRegistrationModeSet(t *testing.T) {
	inv, forb := commands.ErrInvalidArgument, commands.ErrForbidden
	set := func(m string, approval bool) []events.Payload { return evs(mode(m, approval)) }
	runCases(t, "registration-mode-set", []decideCase{
		{name: "enabled", actor: "root", args: `{"mode":"enabled"}`, want: set("enabled", false)},
		{name: "enabled with approval", actor: "root", args: `{"mode":"enabled","approval":true}`, want: set("enabled", true)},
		{name: "disabled", actor: "root", args: `{"mode":"disabled"}`, want: set("disabled", false)},
		{name: "a new ledger is admin_only without approval: no-op", actor: "root", args: `{"mode":"admin_only"}`},
		{name: "approval on admin_only", actor: "root", args: `{"mode":"admin_only","approval":true}`, want: set("admin_only", true)},
		{name: "every call sets approval", actor: "root", given: evs(mode("enabled", true)), args: `{"mode":"enabled"}`, want: set("enabled", false)},
		{name: "same mode and approval is a no-op", actor: "root", given: evs(mode("enabled", true)), args: `{"mode":"enabled","approval":true}`},

		{name: "unknown mode", actor: "root", args: `{"mode":"open"}`, err: inv, msg: "open"},
		{name: "modes are case-sensitive", actor: "root", args: `{"mode":"Enabled"}`, err: inv},
		{name: "missing mode", actor: "root", args: `{}`, err: inv},
		{name: "approval of the wrong type", actor: "root", args: `{"mode":"enabled","approval":"yes"}`, err: inv},
		{name: "non-admin", actor: "bob", args: `{"mode":"enabled"}`, err: forb},
		{name: "non-admin, even for the current value", actor: "bob", args: `{"mode":"admin_only"}`, err: forb},
		{name: "AllowAll without the admin flag", actor: "bob", given: allowAll("bob"), args: `{"mode":"enabled"}`, err: forb},
		{name: "order: invalid before forbidden", actor: "bob", args: `{"mode":"open"}`, err: inv},
	})
}

// C19
func TestRegistrationTokenIssue(t *testing.T) {
	inv, forb, exists := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrAlreadyExists
	issued := func(user string, ttl int64) []events.Payload {
		return evs(events.RegistrationTokenIssued{TokenHash: tokHash, User: user, ExpiresAt: now.Unix() + ttl})
	}
	runCases(t, "registration-token-issue", []decideCase{
		{name: "for any name", actor: "root", args: `{"ttl_seconds":3600}`, want: issued("", 3600), token: true},
		{name: "for a name", actor: "root", args: `{"user":"dave","ttl_seconds":60}`, want: issued("dave", 60), token: true},
		{name: "one second", actor: "root", args: `{"ttl_seconds":1}`, want: issued("", 1), token: true},
		{name: "one year", actor: "root", args: `{"ttl_seconds":31536000}`, want: issued("", 31536000), token: true},
		{name: "for the name of a deleted user", actor: "root", given: evs(events.UserDeleted{User: "bob"}),
			args: `{"user":"bob","ttl_seconds":60}`, want: issued("bob", 60), token: true},

		{name: "zero ttl", actor: "root", args: `{"ttl_seconds":0}`, err: inv},
		{name: "negative ttl", actor: "root", args: `{"ttl_seconds":-5}`, err: inv},
		{name: "missing ttl", actor: "root", args: `{}`, err: inv},
		{name: "fractional ttl", actor: "root", args: `{"ttl_seconds":1.5}`, err: inv},
		{name: "ttl as a string", actor: "root", args: `{"ttl_seconds":"60"}`, err: inv},
		{name: "malformed name", actor: "root", args: `{"user":"d ave","ttl_seconds":60}`, err: inv},
		{name: "non-admin", actor: "bob", args: `{"ttl_seconds":60}`, err: forb},
		{name: "AllowAll without the admin flag", actor: "bob", given: allowAll("bob"), args: `{"ttl_seconds":60}`, err: forb},
		{name: "order: ttl <= 0 before forbidden", actor: "bob", args: `{"ttl_seconds":0}`, err: inv},
		{name: "order: forbidden before already_exists", actor: "bob", args: `{"user":"carol","ttl_seconds":60}`, err: forb},
		{name: "a name that exists", actor: "root", args: `{"user":"carol","ttl_seconds":60}`, err: exists, msg: "carol"},
		{name: "a pending name exists", actor: "root", given: evs(pending("dave")), args: `{"user":"dave","ttl_seconds":60}`, err: exists},
	})
}
