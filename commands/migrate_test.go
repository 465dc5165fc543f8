package commands_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/migrate"
)

const snapshot = `{"admin_team":"admins","teams":["admins","blue","red"],"users":[
	{"user":"ann","teams":["admins"]},
	{"user":"bob","teams":["blue","red"],"password_hash":"$2a$04$Bo7Q7lZKCbBeK3ggAIkzK.b6Hw1UN1TTTz1WAjqK7MnYbKxJbHTE2"},
	{"user":"cid","teams":[]}]}`

// C20: arguments and the snapshot's validation are invalid_argument.
func TestMigrateArguments(t *testing.T) {
	for _, c := range []struct{ name, args string }{
		{"missing snapshot", `{}`},
		{"unknown field", `{"snapshot":` + snapshot + `,"force":true}`},
		{"dry_run of the wrong type", `{"snapshot":` + snapshot + `,"dry_run":"yes"}`},
		{"admin team missing", `{"snapshot":{"admin_team":"admins","teams":["blue"],"users":[]}}`},
		{"no admin team", `{"snapshot":{"teams":["blue"],"users":[]}}`},
		{"a user names an unlisted team", `{"snapshot":{"admin_team":"a","teams":["a"],"users":[{"user":"bob","teams":["ghost"]}]}}`},
		{"a repeated user", `{"snapshot":{"admin_team":"a","teams":["a"],"users":[{"user":"bob","teams":[]},{"user":"bob","teams":["a"]}]}}`},
		{"not a bcrypt hash", `{"snapshot":{"admin_team":"a","teams":["a"],"users":[{"user":"bob","teams":[],"password_hash":"plain"}]}}`},
		{"unknown snapshot field", `{"snapshot":{"admin_team":"a","teams":["a"],"users":[],"apps":[]}}`},
		{"malformed team name", `{"snapshot":{"admin_team":"a","teams":["a","b c"],"users":[]}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := commands.Parse("migrate", json.RawMessage(c.args))
			if err == nil {
				_, err = commands.MigratePlanForTest(cmd.(*commands.Migrate))
			}
			if !errors.Is(err, commands.ErrInvalidArgument) {
				t.Fatalf("error = %v, want invalid_argument", err)
			}
		})
	}
}

// C20 runs through the handler, step by step; its Decide refuses to run alone.
func TestMigrateDecideRunsThroughTheHandler(t *testing.T) {
	_, err := decide(t, newState(t, base()...), "root", "migrate", `{"snapshot":`+snapshot+`}`)
	if !errors.Is(err, commands.ErrFailedPrecondition) {
		t.Fatalf("error = %v, want failed_precondition", err)
	}
}

// Section 6: the run id depends on the snapshot's content, not its order.
func TestMigrateRunID(t *testing.T) {
	plan := func(s string) *migrate.Plan {
		cmd, err := commands.Parse("migrate", json.RawMessage(`{"snapshot":`+s+`}`))
		if err != nil {
			t.Fatal(err)
		}
		p, err := commands.MigratePlanForTest(cmd.(*commands.Migrate))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	reordered := `{"admin_team":"admins","teams":["red","blue","admins"],"users":[
		{"user":"cid","teams":[]},
		{"user":"bob","teams":["red","blue"],"password_hash":"$2a$04$Bo7Q7lZKCbBeK3ggAIkzK.b6Hw1UN1TTTz1WAjqK7MnYbKxJbHTE2"},
		{"user":"ann","teams":["admins"]}]}`
	other := `{"admin_team":"admins","teams":["admins","blue"],"users":[]}`
	if got, want := plan(reordered).RunID(), plan(snapshot).RunID(); got != want {
		t.Errorf("reordered snapshot: run id %s, want %s", got, want)
	}
	if plan(other).RunID() == plan(snapshot).RunID() {
		t.Errorf("a different snapshot has the same run id")
	}
}

// Section 6: each step appends only what is missing, plus its marker.
func TestMigrateStep(t *testing.T) {
	cmd, err := commands.Parse("migrate", json.RawMessage(`{"snapshot":`+snapshot+`}`))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := commands.MigratePlanForTest(cmd.(*commands.Migrate))
	if err != nil {
		t.Fatal(err)
	}
	steps, run := plan.Steps(), "run-1"
	if got, want := len(steps), 3; got != want {
		t.Fatalf("%d steps, want %d (roles, teams, users)", got, want)
	}
	marker := func(i int) events.Payload { return events.MigrationStepApplied{RunID: run, Step: i, Steps: 3} }
	allRoles := flat(
		events.RoleCreated{Role: "admin", Context: "global", Unlimited: true}, events.RolePermissionsAdded{Role: "admin", Permissions: []string{"*"}},
		role("team-creator", "global", "team.create"), defaultOn("team-creator", "user-create"),
		role("team-member", "team", "app", "service-instance", "team"), defaultOn("team-member", "team-create"))
	bobHash := "$2a$04$Bo7Q7lZKCbBeK3ggAIkzK.b6Hw1UN1TTTz1WAjqK7MnYbKxJbHTE2"
	mk := func(u, hash string) events.Payload {
		return events.UserCreated{User: u, PasswordHash: hash, Status: events.StatusActive}
	}
	assignments := evs(assign("admin", "ann", ""), assign("team-creator", "bob", ""),
		assign("team-member", "bob", "blue"), assign("team-member", "bob", "red"))
	for _, c := range []struct {
		name  string
		step  int
		actor string
		given []events.Payload
		err   error
		want  []events.Payload
	}{
		{name: "roles on a fresh ledger", step: 0, actor: "root", want: flat(allRoles, marker(0))},
		{name: "roles already there: only the marker", step: 0, actor: "root", given: allRoles, want: evs(marker(0))},
		{name: "an existing role gets what it lacks", step: 0, actor: "root",
			given: flat(allRoles[:2], role("team-creator", "global"), role("team-member", "team", "app"), defaultOn("team-member", "team-create")),
			want: flat(events.RolePermissionsAdded{Role: "team-creator", Permissions: []string{"team.create"}}, defaultOn("team-creator", "user-create"),
				events.RolePermissionsAdded{Role: "team-member", Permissions: []string{"service-instance", "team"}}, marker(0))},
		{name: "a role with another context", step: 0, actor: "root", given: role("team-member", "app"), err: commands.ErrFailedPrecondition},
		{name: "a role with another flag", step: 0, actor: "root", given: role("admin", "global", "*"), err: commands.ErrFailedPrecondition},
		{name: "teams: only the missing ones", step: 1, actor: "root", given: evs(team("admins")), want: evs(team("red"), marker(1))},
		{name: "users, without event defaults", step: 2, actor: "root", given: allRoles,
			want: flat(mk("ann", ""), mk("bob", bobHash), mk("cid", ""), assignments, marker(2))},
		{name: "existing users keep password and status", step: 2, actor: "root", given: flat(allRoles, pending("ann"), user("bob")),
			want: flat(mk("cid", ""), assignments, marker(2))},
		{name: "only missing assignments", step: 2, actor: "root", given: flat(allRoles, user("bob"), assign("team-member", "bob", "blue")),
			want: flat(mk("ann", ""), mk("cid", ""), assign("admin", "ann", ""), assign("team-creator", "bob", ""), assign("team-member", "bob", "red"), marker(2))},
		{name: "admin-only", step: 0, actor: "bob", err: commands.ErrForbidden},
		{name: "admin-only: AllowAll without the admin flag", step: 0, actor: "bob", given: allowAll("bob"), err: commands.ErrForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			store := newState(t, flat(rootOnly(c.step == 2), c.given)...)
			out, err := decideCmd(t, store, c.actor, commands.MigrateStepForTest(run, steps[c.step]))
			if c.err != nil || err != nil {
				if !errors.Is(err, c.err) || c.err == nil {
					t.Fatalf("error = %v, want %v", err, c.err)
				}
				return
			}
			if got, want := out.Events, c.want; !reflect.DeepEqual(got, want) {
				t.Errorf("events:\n got %s\nwant %s", show(got), show(want))
			}
		})
	}
}

// rootOnly is base() without bob and carol when the step creates users.
func rootOnly(usersStep bool) []events.Payload {
	if !usersStep {
		return base()
	}
	return evs(base()[0])
}
