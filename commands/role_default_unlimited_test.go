package commands_test

import (
	"errors"
	"testing"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// A default hands its role out with no anti-escalation, so registering an
// unlimited role as a default is admin-only, like assigning one (C12).
func TestRoleDefaultAddUnlimitedIsAdminOnly(t *testing.T) {
	given := flat(base(), user("mgr"), unlimited("owner", "global", "*"), role("viewer", "global", "app.read"),
		allow("mgr", "role.default.create", "global"))
	st := newState(t, given...)
	if _, err := decide(t, st, "mgr", "role-default-add", `{"role":"owner","event":"user-create"}`); !errors.Is(err, commands.ErrForbidden) {
		t.Errorf("non-admin registering an unlimited default: err = %v, want forbidden", err)
	}
	out, err := decide(t, st, "mgr", "role-default-add", `{"role":"viewer","event":"user-create"}`)
	if err != nil || len(out.Events) != 1 {
		t.Fatalf("a limited role: %v, %v", out.Events, err)
	}
	if e, ok := out.Events[0].(events.RoleDefaultAdded); !ok || e.Role != "viewer" {
		t.Errorf("event = %#v", out.Events[0])
	}
}
