package commands_test

import (
	"errors"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// C16
func TestTokenRegenerate(t *testing.T) {
	inv, forb, nf := commands.ErrInvalidArgument, commands.ErrForbidden, commands.ErrNotFound
	regenerated := func(u string) []events.Payload {
		return evs(events.TokensRevoked{User: u}, events.TokenIssued{User: u, TokenHash: tokHash})
	}
	runCases(t, "token-regenerate", []decideCase{
		{name: "self, no arguments", actor: "bob", args: `{}`, want: regenerated("bob"), token: true},
		{name: "self, empty arguments", actor: "bob", args: ``, want: regenerated("bob"), token: true},
		{name: "self, named", actor: "bob", args: `{"user":"bob"}`, want: regenerated("bob"), token: true},
		{name: "self, all false", actor: "bob", args: `{"all":false}`, want: regenerated("bob"), token: true},
		{name: "self needs no permission, even under a deny", actor: "bob", given: evs(deny("bob", "apikey", "global"), deny("bob", "user", "user:bob")),
			args: `{}`, want: regenerated("bob"), token: true},
		{name: "admin for another user", actor: "root", args: `{"user":"carol"}`, want: regenerated("carol"), token: true},
		{name: "apikey.update in user:<user>", actor: "bob", given: evs(allow("bob", "apikey.update", "user:carol")),
			args: `{"user":"carol"}`, want: regenerated("carol"), token: true},
		{name: "admin for a pending user", actor: "root", given: evs(pending("dave")), args: `{"user":"dave"}`, want: regenerated("dave"), token: true},
		{name: "all: admin revokes every token, none returned", actor: "root", args: `{"all":true}`, want: evs(events.TokensRevokedAll{})},

		{name: "malformed user", actor: "root", args: `{"user":"ca rol"}`, err: inv},
		{name: "all and user together", actor: "root", args: `{"all":true,"user":"carol"}`, err: inv},
		{name: "all of the wrong type", actor: "root", args: `{"all":"yes"}`, err: inv},
		{name: "unknown field", actor: "root", args: `{"users":["carol"]}`, err: inv},
		{name: "unknown user", actor: "root", args: `{"user":"ghost"}`, err: nf, msg: "ghost"},
		{name: "another user without apikey.update", actor: "bob", args: `{"user":"carol"}`, err: forb},
		{name: "the self permission is not apikey", actor: "bob", given: evs(allow("bob", "user", "user:carol")), args: `{"user":"carol"}`, err: forb},
		{name: "apikey.update for a third user", actor: "bob", given: evs(allow("bob", "apikey.update", "user:dave")), args: `{"user":"carol"}`, err: forb},
		{name: "order: malformed before forbidden", actor: "bob", args: `{"user":"a b"}`, err: inv},
		{name: "order: forbidden before not_found", actor: "bob", args: `{"user":"ghost"}`, err: forb},
		{name: "unknown user, actor holding apikey.update globally", actor: "bob", given: evs(allow("bob", "apikey.update", "global")),
			args: `{"user":"ghost"}`, err: nf},
		{name: "all: non-admin", actor: "bob", args: `{"all":true}`, err: forb},
		{name: "all: AllowAll without the admin flag is not enough", actor: "bob", given: allowAll("bob"), args: `{"all":true}`, err: forb},
		{name: "all: order: invalid before forbidden", actor: "bob", args: `{"all":true,"user":"bob"}`, err: inv},
	})
}

// Step 1: Authenticate resolves a token to its active user.
func TestAuthenticate(t *testing.T) {
	store := newState(t, flat(base(), pending("dave"),
		events.TokenIssued{User: "bob", TokenHash: commands.HashToken("bob-1")},
		events.TokenIssued{User: "carol", TokenHash: commands.HashToken("carol-1")},
		events.TokenIssued{User: "dave", TokenHash: commands.HashToken("dave-1")},
		events.TokenIssued{User: "root", TokenHash: commands.HashToken("root-1")},
		events.TokensRevoked{User: "carol"},
		events.UserDeleted{User: "root"},
		user("erin"), events.TokenIssued{User: "erin", TokenHash: commands.HashToken("erin-1")},
		events.UserDeleted{User: "erin"}, user("erin"))...)
	st := store.Snapshot()
	defer st.Close()
	for _, c := range []struct{ name, token, user string }{
		{"live token", "bob-1", "bob"},
		{"unknown token", "nope", ""},
		{"empty token", "", ""},
		{"revoked token", "carol-1", ""},
		{"pending user", "dave-1", ""},
		{"deleted user", "root-1", ""},
		{"a re-created user's old token", "erin-1", ""},
		{"the hash is not the token", commands.HashToken("bob-1"), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, err := commands.Authenticate(st, c.token)
			if c.user == "" {
				if !errors.Is(err, commands.ErrUnauthenticated) || u != nil {
					t.Fatalf("Authenticate = %v, %v; want unauthenticated", u, err)
				}
				return
			}
			if err != nil || u == nil || u.Name != c.user {
				t.Fatalf("Authenticate = %v, %v; want %s", u, err, c.user)
			}
		})
	}
}
