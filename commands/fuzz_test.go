package commands_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// FuzzCommand decodes arbitrary arguments for any command name and decides
// the command against a fixed state, as no actor, an admin and a plain
// user. Whatever the input: no panic; a refusal wraps exactly one sentinel
// (decoding errors are invalid_argument); a decoded command's fingerprint
// survives re-encoding; and the events of an accepted command carry only
// valid names and catalog permissions, and survive the log's codec.

// fuzzSeeds are valid arguments for every command, the corpus's start.
var fuzzSeeds = map[string]string{
	"admin-set":                `{"user":"bob","admin":true}`,
	"grant":                    `{"user":"bob","permission":"app.deploy","context":"team:blue"}`,
	"login":                    `{"user":"bob","password":"secret"}`,
	"migrate":                  `{"snapshot":{"admin_team":"admin","teams":["admin","blue"],"users":[{"email":"ann@corp.com","teams":["blue"]}]},"dry_run":true}`,
	"registration-mode-set":    `{"mode":"enabled","approval":true}`,
	"registration-token-issue": `{"user":"dan","ttl_seconds":60}`,
	"reset":                    `{"user":"bob","permission":"app.deploy","context":"team:blue"}`,
	"revoke":                   `{"user":"bob","permission":"app","context":"global"}`,
	"role-add":                 `{"role":" ops ","context":"team","description":"d","unlimited":false}`,
	"role-assign":              `{"role":"deployer","user":"bob","value":"blue"}`,
	"role-default-add":         `{"role":"deployer","event":"team-create"}`,
	"role-default-remove":      `{"role":"deployer","event":"team-create"}`,
	"role-dissociate":          `{"role":"deployer","user":"carol","value":"blue"}`,
	"role-permission-add":      `{"role":"deployer","permissions":["app.read","app.update.env.set"]}`,
	"role-permission-remove":   `{"role":"deployer","permissions":["app.deploy"]}`,
	"role-remove":              `{"role":"deployer"}`,
	"root-user-create":         `{"user":"root2","password":"pw"}`,
	"team-create":              `{"team":"red"}`,
	"token-regenerate":         `{"user":"bob","all":false}`,
	"user-approve":             `{"user":"carol"}`,
	"user-create":              `{"user":"dan@corp.com","password":"pw"}`,
	"user-delete":              `{"user":"carol"}`,
	"user-register":            `{"user":"eve","password":"pw","registration_token":"nope"}`,
}

// fuzzStore is the state every execution decides against (read-only).
func fuzzStore(tb testing.TB) *readmodel.Store {
	store, err := readmodel.Open(tb.TempDir(), readmodel.Options{CacheSize: 1 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	all := flat(events.CatalogRecorded{Catalog: catalog.Default().JSON()}, base(),
		role("deployer", "team", "app.deploy"), assign("deployer", "carol", "blue"),
		role("default", "global", "app.read"), deny("carol", "app.deploy", "team:blue"),
		pending("pat"), events.RegistrationTokenIssued{TokenHash: commands.HashToken("nope"), ExpiresAt: now.Unix() + 60})
	for i, p := range all {
		id := fmt.Sprintf("fuzz-setup-%d", i)
		data, err := events.EncodeBatch(events.Batch{CommandID: id, Command: "setup",
			Events: []events.Envelope{events.New(events.Meta{Time: now, CommandID: id}, p)}})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := store.Apply([]readmodel.Msg{{Seq: uint64(i + 1), Time: now, Data: data}}); err != nil {
			tb.Fatalf("applying %T: %v", p, err)
		}
	}
	return store
}

func FuzzCommand(f *testing.F) {
	for name, args := range fuzzSeeds {
		f.Add(name, []byte(args), uint8(1))
	}
	f.Add("team-create", []byte(`{"team":"a b"}`), uint8(2))
	f.Add("grant", []byte(`{"user":"bob","permission":"app..deploy"}`), uint8(1))
	f.Add("role-add", []byte(`{"role":"r","context":"team","Role":"x"}`), uint8(0))
	f.Add("fly", []byte(`{}`), uint8(1))
	store := fuzzStore(f)
	f.Fuzz(func(t *testing.T, name string, args []byte, who uint8) {
		cmd, err := commands.Parse(name, json.RawMessage(args))
		if err != nil {
			if s := sentinels(err); len(s) != 1 || s[0] != commands.ErrInvalidArgument {
				t.Fatalf("Parse(%q, %q) = %v, want exactly invalid_argument", name, args, err)
			}
			return
		}
		checkReparse(t, name, cmd)
		if m, ok := cmd.(*commands.Migrate); ok {
			if _, err := commands.MigratePlanForTest(m); err != nil && !errors.Is(err, commands.ErrInvalidArgument) {
				t.Fatalf("migrate plan of %q: %v, want invalid_argument", args, err)
			}
			return
		}
		actor := []string{"", "root", "bob"}[int(who)%3]
		if actor == "" && cmd.Auth() == commands.AuthRequired {
			actor = "bob" // the handler answers unauthenticated before Decide
		}
		out, err := decideCmd(t, store, actor, cmd)
		if err != nil {
			if len(sentinels(err)) != 1 || len(out.Events) != 0 || out.Token != "" {
				t.Fatalf("%s %s as %q: error %v wraps %d sentinels, with events %v", name, args, actor, err, len(sentinels(err)), out.Events)
			}
			return
		}
		for _, p := range out.Events {
			checkEvent(t, p)
		}
	})
}

// checkReparse: a parsed command encodes to arguments that parse to the
// same command, with the same fingerprint.
func checkReparse(t *testing.T, name string, cmd commands.Command) {
	if cmd.Name() != name {
		t.Fatalf("Parse(%q) gave a %q", name, cmd.Name())
	}
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatalf("marshal %s: %v", name, err)
	}
	again, err := commands.Parse(name, b)
	if err != nil {
		t.Fatalf("re-parsing %s %s: %v", name, b, err)
	}
	if commands.Fingerprint(again) != commands.Fingerprint(cmd) {
		t.Fatalf("%s: fingerprint changed on re-encoding %s", name, b)
	}
}

// checkEvent: an accepted command's event names valid users, teams, roles,
// known permissions and parseable contexts, and survives the log's codec.
func checkEvent(t *testing.T, p events.Payload) {
	cat := catalog.Default()
	var names [][2]string
	var perms, ctxs []string
	switch e := p.(type) {
	case events.UserCreated:
		names = append(names, [2]string{"user", e.User})
	case events.TeamCreated:
		names = append(names, [2]string{"team", e.Team})
	case events.RoleCreated:
		names = append(names, [2]string{"role", e.Role})
	case events.RolePermissionsAdded:
		perms = e.Permissions
	case events.PermissionGranted:
		perms, ctxs = []string{e.Permission}, []string{e.Context}
	case events.PermissionRevoked:
		perms, ctxs = []string{e.Permission}, []string{e.Context}
	}
	for _, n := range names {
		if err := catalog.ValidateName(n[0], n[1]); err != nil {
			t.Fatalf("%s carries an invalid name: %v", p.EventType(), err)
		}
	}
	for _, perm := range perms {
		if !cat.Known(perm) {
			t.Fatalf("%s carries unknown permission %q", p.EventType(), perm)
		}
	}
	for _, c := range ctxs {
		if _, err := cat.ParseContext(c); err != nil {
			t.Fatalf("%s carries context %q: %v", p.EventType(), c, err)
		}
	}
	checkCodec(t, p)
}

func checkCodec(t *testing.T, p events.Payload) {
	data, err := events.EncodeBatch(events.Batch{CommandID: "c", Command: "x",
		Events: []events.Envelope{events.New(events.Meta{Time: now, CommandID: "c"}, p)}})
	if err != nil {
		t.Fatalf("encoding %s: %v", p.EventType(), err)
	}
	b, err := events.DecodeBatch(data)
	if err != nil {
		t.Fatalf("decoding %s: %v", p.EventType(), err)
	}
	got, err := events.Decode(b.Events[0])
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Fatalf("%s through the codec: %#v -> %#v (%v)", p.EventType(), p, got, err)
	}
}
