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

// C20's source picks the input format; each is validated as
// invalid_argument before anything runs.
func TestMigrateSources(t *testing.T) {
	for _, c := range []struct {
		name, args, source string
		err                error
	}{
		{"tsuru by default", `{"snapshot":` + snapshot + `}`, "tsuru", nil},
		{"tsuru by name", `{"source":"tsuru","snapshot":` + snapshot + `}`, "tsuru", nil},
		{"deis", `{"source":"deis","snapshot":{"users":[{"username":"a","is_superuser":true}],"apps":[]}}`, "deis", nil},
		{"pypicloud, the file as a string", `{"source":"pypicloud","snapshot":"[app:main]\nuser.a = x\nauth.admins = a\n"}`, "pypicloud", nil},
		{"pypicloud, not a string", `{"source":"pypicloud","snapshot":{"users":[]}}`, "", commands.ErrInvalidArgument},
		{"an unknown source", `{"source":"ldap","snapshot":{}}`, "", commands.ErrInvalidArgument},
		{"a bad deis snapshot", `{"source":"deis","snapshot":{"users":[],"apps":[{"id":"web","owner":"ghost","collaborators":[]}]}}`, "", commands.ErrInvalidArgument},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd, err := commands.Parse("migrate", json.RawMessage(c.args))
			if err != nil {
				t.Fatal(err)
			}
			plan, err := commands.MigratePlanForTest(cmd.(*commands.Migrate))
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("error = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || plan.Source != c.source {
				t.Fatalf("plan = %+v, %v; want a %s plan", plan, err, c.source)
			}
		})
	}
}

// A users step sets the admin flag of its plan's admins where it is not
// set: on users it creates and on existing users, not twice.
func TestMigrateStepAdmins(t *testing.T) {
	step := migrate.Step{Index: 1, Of: 2, Users: []migrate.User{{Name: "ann"}, {Name: "bob"}, {Name: "dan"}},
		Admins: []string{"ann", "bob", "dan"}}
	given := flat(base(), events.UserCreated{User: "dan", PasswordHash: pwHash, Status: events.StatusActive, Admin: true})
	out, err := decideCmd(t, newState(t, given...), "root", commands.MigrateStepForTest("run-1", step))
	if err != nil {
		t.Fatal(err)
	}
	want := evs(events.UserCreated{User: "ann", Status: events.StatusActive},
		events.UserAdminSet{User: "ann", Admin: true}, events.UserAdminSet{User: "bob", Admin: true},
		events.MigrationStepApplied{RunID: "run-1", Step: 1, Steps: 2})
	if got := out.Events; !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got %s\nwant %s", show(got), show(want))
	}
}
