package commands_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// pwHash is bcrypt("secret", cost 4): the stored password of the fixture
// users and the hash every Decide receives as Input.PasswordHash.
const pwHash = "$2a$04$FeKVXJbnJXVVRB2Eh9rmT.8GS7rE59I1r89Bd38o0b4NuvO0QBH.O"

var (
	now     = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tokHash = commands.HashToken("tok") // the hash of Input.NewToken
)

// newState records the built-in catalog, then applies each payload as its
// own message, to a Pebble read model in t.TempDir().
func newState(t *testing.T, payloads ...events.Payload) *readmodel.Store {
	t.Helper()
	store, err := readmodel.Open(t.TempDir(), readmodel.Options{CacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	all := append([]events.Payload{events.CatalogRecorded{Catalog: catalog.Default().JSON()}}, payloads...)
	for i, p := range all {
		id := fmt.Sprintf("setup-%d", i)
		data, err := events.EncodeBatch(events.Batch{CommandID: id, Command: "setup",
			Events: []events.Envelope{events.New(events.Meta{Time: now, CommandID: id}, p)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Apply([]readmodel.Msg{{Seq: uint64(i + 1), Time: now, Data: data}}); err != nil {
			t.Fatalf("applying %T: %v", p, err)
		}
	}
	return store
}

// decide parses the command and decides it on a snapshot, as actor ("": none).
func decide(t *testing.T, store *readmodel.Store, actor, name, args string) (commands.Outcome, error) {
	t.Helper()
	cmd, err := commands.Parse(name, json.RawMessage(args))
	if err != nil {
		return commands.Outcome{}, err
	}
	return decideCmd(t, store, actor, cmd)
}

// decideCmd decides a parsed command on a snapshot, as actor ("": none).
func decideCmd(t *testing.T, store *readmodel.Store, actor string, cmd commands.Command) (commands.Outcome, error) {
	t.Helper()
	st := store.Snapshot()
	defer st.Close()
	in := commands.Input{Now: now, NewToken: commands.Secret{Plain: "tok", Hash: tokHash}, PasswordHash: pwHash}
	if actor != "" {
		var err error
		if in.Actor, err = st.User(actor); err != nil || in.Actor == nil {
			t.Fatalf("actor %q: not in the state (%v)", actor, err)
		}
	}
	return cmd.Decide(st, in)
}

// decideCase is one row of a command's table.
type decideCase struct {
	name  string
	empty bool             // start from an empty ledger instead of base()
	given []events.Payload // applied after base()
	actor string           // "" for no actor
	args  string           // the command's JSON arguments
	err   error            // the sentinel expected; nil for success
	msg   string           // if set, the error message must contain it
	want  []events.Payload // the exact events on success; nil is a no-op
	token bool             // the outcome shows the new token
}

// runCases runs a table against the command name.
func runCases(t *testing.T, name string, cases []decideCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			given := c.given
			if !c.empty {
				given = append(base(), c.given...)
			}
			out, err := decide(t, newState(t, given...), c.actor, name, c.args)
			check(t, c, out, err)
		})
	}
}

func check(t *testing.T, c decideCase, out commands.Outcome, err error) {
	t.Helper()
	if c.err != nil {
		if !errors.Is(err, c.err) {
			t.Fatalf("error = %v (events %v), want %v", err, out.Events, c.err)
		}
		if got, want := len(sentinels(err)), 1; got != want {
			t.Errorf("error %q wraps %d sentinels %v, want %d", err, got, sentinels(err), want)
		}
		if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("error %q does not name %q", err, c.msg)
		}
		if len(out.Events) != 0 || out.Token != "" {
			t.Errorf("a failed command returned events %v and token %q", out.Events, out.Token)
		}
		return
	}
	if err != nil {
		t.Fatalf("error = %v, want success", err)
	}
	if got, want := out.Events, c.want; len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %s\nwant %s", show(got), show(want))
	}
	if got, want := out.Token != "", c.token; got != want {
		t.Errorf("token shown = %v (%q), want %v", got, out.Token, want)
	}
	if out.Token != "" && out.Token != "tok" {
		t.Errorf("token = %q, want the Input's NewToken", out.Token)
	}
}

var allSentinels = []error{commands.ErrUnauthenticated, commands.ErrInvalidArgument, commands.ErrForbidden,
	commands.ErrNotFound, commands.ErrAlreadyExists, commands.ErrFailedPrecondition}

func sentinels(err error) []error {
	var out []error
	for _, s := range allSentinels {
		if errors.Is(err, s) {
			out = append(out, s)
		}
	}
	return out
}

func show(ps []events.Payload) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\n\t%s %+v", p.EventType(), p)
	}
	return b.String()
}

// Fixtures.

// base is every table's starting point: root (an active admin), bob and
// carol (active, holding nothing), and team blue.
func base() []events.Payload {
	return []events.Payload{
		events.UserCreated{User: "root", PasswordHash: pwHash, Status: events.StatusActive, Admin: true},
		user("bob"), user("carol"),
		events.TeamCreated{Team: "blue"},
	}
}

func user(name string) events.Payload {
	return events.UserCreated{User: name, PasswordHash: pwHash, Status: events.StatusActive}
}

func pending(name string) events.Payload {
	return events.UserCreated{User: name, PasswordHash: pwHash, Status: events.StatusPending}
}

func team(name string) events.Payload { return events.TeamCreated{Team: name} }

// role creates a role with the given permissions.
func role(name, ctx string, perms ...string) []events.Payload {
	out := []events.Payload{events.RoleCreated{Role: name, Context: ctx}}
	if len(perms) > 0 {
		out = append(out, events.RolePermissionsAdded{Role: name, Permissions: perms})
	}
	return out
}

// unlimited creates an unlimited role with the given permissions.
func unlimited(name, ctx string, perms ...string) []events.Payload {
	return []events.Payload{events.RoleCreated{Role: name, Context: ctx, Unlimited: true},
		events.RolePermissionsAdded{Role: name, Permissions: perms}}
}

// allowAll gives u the root role AllowAll (global, *, unlimited) without the admin flag.
func allowAll(u string) []events.Payload {
	return append(unlimited(commands.AllowAllRole, catalog.Global, catalog.Root), assign(commands.AllowAllRole, u, ""))
}

func assign(role, user, value string) events.Payload {
	return events.RoleAssigned{Role: role, User: user, Value: value}
}

func allow(user, perm, ctx string) events.Payload {
	return events.PermissionGranted{User: user, Permission: perm, Context: ctx}
}

func deny(user, perm, ctx string) events.Payload {
	return events.PermissionRevoked{User: user, Permission: perm, Context: ctx}
}

func defaultOn(role, event string) events.Payload {
	return events.RoleDefaultAdded{Role: role, Event: event}
}

func mode(m string, approval bool) events.Payload {
	return events.RegistrationModeSet{Mode: m, Approval: approval}
}

// flat joins payloads and payload slices.
func flat(parts ...any) []events.Payload {
	var out []events.Payload
	for _, p := range parts {
		switch p := p.(type) {
		case events.Payload:
			out = append(out, p)
		case []events.Payload:
			out = append(out, p...)
		default:
			panic(fmt.Sprintf("flat: %T is not a payload", p))
		}
	}
	return out
}

func evs(ps ...events.Payload) []events.Payload { return ps }

// js quotes s as a JSON string.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
