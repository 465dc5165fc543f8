package ledger

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

// Bad input gets a clear error, appends nothing, and the server keeps serving.
func TestBadInputAppendsNothing(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	raw := func(cmd, body string) api.CommandReply {
		m, err := l.Conn.RequestWithContext(ctx, api.CommandPrefix+cmd, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		var rep api.CommandReply
		if err := json.Unmarshal(m.Data, &rep); err != nil {
			t.Fatalf("%s: reply %q: %v", cmd, m.Data, err)
		}
		return rep
	}
	tok, _ := json.Marshal(root)
	cases := []struct {
		name, cmd, body, code, mention string
	}{
		{"malformed JSON", "team-create", `{"token":` + string(tok) + `,"args":{"team":`, api.CodeInvalidArgument, "malformed"},
		{"unknown request field", "team-create", `{"token":` + string(tok) + `,"argz":{}}`, api.CodeInvalidArgument, "argz"},
		{"unknown argument", "team-create", `{"token":` + string(tok) + `,"args":{"team":"a","colour":"red"}}`, api.CodeInvalidArgument, "colour"},
		{"wrong type", "team-create", `{"token":` + string(tok) + `,"args":{"team":7}}`, api.CodeInvalidArgument, "team"},
		{"missing argument", "role-add", `{"token":` + string(tok) + `,"args":{"context":"team"}}`, api.CodeInvalidArgument, "role"},
		{"whitespace in a name", "team-create", `{"token":` + string(tok) + `,"args":{"team":"blue team"}}`, api.CodeInvalidArgument, "blue team"},
		{"control character", "user-create", `{"token":` + string(tok) + `,"args":{"user":"bob\u0007","password":"x"}}`, api.CodeInvalidArgument, "control"},
		{"unknown permission", "grant", `{"token":` + string(tok) + `,"args":{"user":"root@corp.com","permission":"app.fly"}}`, api.CodeInvalidArgument, "app.fly"},
		{"empty permission segment", "grant", `{"token":` + string(tok) + `,"args":{"user":"root@corp.com","permission":"app..deploy"}}`, api.CodeInvalidArgument, "app..deploy"},
		{"context not allowed", "grant", `{"token":` + string(tok) + `,"args":{"user":"root@corp.com","permission":"team.create","context":"team:blue"}}`, api.CodeInvalidArgument, "team.create"},
		{"unknown command", "fly", `{"token":` + string(tok) + `}`, api.CodeInvalidArgument, "fly"},
		{"root-user-create over the network", "root-user-create", `{"args":{"user":"evil","password":"x"}}`, api.CodeInvalidArgument, "local"},
		{"no token", "team-create", `{"args":{"team":"blue"}}`, api.CodeUnauthenticated, ""},
		{"bad token before bad args", "role-add", `{"token":"nope","args":{"role":"","context":"galaxy"}}`, api.CodeUnauthenticated, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := lastSeq(t, l)
			rep := raw(tc.cmd, tc.body)
			if rep.Error == nil || rep.Error.Code != tc.code {
				t.Fatalf("reply %+v, want error %s", rep, tc.code)
			}
			if !strings.Contains(rep.Error.Message, tc.mention) {
				t.Errorf("message %q does not name %q", rep.Error.Message, tc.mention)
			}
			if got := lastSeq(t, l); got != before {
				t.Errorf("appended: %d -> %d", before, got)
			}
		})
	}
	if _, err := c.Command(ctx, "team-create", "", root, map[string]string{"team": "still-serving"}); err != nil {
		t.Errorf("after bad input the server should keep serving: %v", err)
	}
}

func TestBadChecks(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	rootToken(t, l, c)
	ctx := testCtx(t)
	many := make([]string, 5000)
	for i := range many {
		many[i] = "team:t"
	}
	cases := []struct {
		name string
		req  api.CheckRequest
		code string
	}{
		{"unknown permission", checkReq("root@corp.com", "apps.read"), api.CodeInvalidArgument},
		{"unknown context type", checkReq("root@corp.com", "app.read", "galaxy:far"), api.CodeInvalidArgument},
		{"malformed context", checkReq("root@corp.com", "app.read", "team:"), api.CodeInvalidArgument},
		{"thousands of contexts", checkReq("root@corp.com", "app.read", many...), api.CodeInvalidArgument},
		{"bad token", api.CheckRequest{Token: "nope", Permission: "app.read", Contexts: []string{}}, api.CodeUnauthenticated},
		{"neither user nor token", api.CheckRequest{Permission: "app.read", Contexts: []string{}}, api.CodeInvalidArgument},
	}
	for _, tc := range cases {
		if _, err := c.Check(ctx, tc.req); code(err) != tc.code {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
}
