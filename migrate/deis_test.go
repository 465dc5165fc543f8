package migrate_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/permledger/permledger/migrate"
)

// A realistic Deis v1 export: superusers get the admin flag, each app's
// owner the unlimited app-owner role on it, each collaborator
// app-collaborator on it; a Django bcrypt hash is carried, pbkdf2 and
// bcrypt_sha256 hashes are dropped and listed, an unusable password is none.
func TestDeisSample(t *testing.T) {
	data, err := os.ReadFile("testdata/deis.json")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := migrate.Parse("deis", data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := plan.Validate(); err != nil {
		t.Fatalf("the plan does not validate: %v", err)
	}
	if got, want := plan.Source, "deis"; got != want {
		t.Errorf("source = %q, want %q", got, want)
	}
	if got, want := plan.Roles, migrate.DeisRoles(); !reflect.DeepEqual(got, sortedRoles(want)) {
		t.Errorf("roles = %+v\nwant %+v", got, want)
	}
	if got := plan.Teams; len(got) != 0 {
		t.Errorf("teams = %v, want none: Deis has no teams", got)
	}
	if got, want := plan.Admins, []string{"gabrtv"}; !reflect.DeepEqual(got, want) {
		t.Errorf("admins = %v, want %v", got, want)
	}
	hashes := map[string]string{}
	for _, u := range plan.Users {
		hashes[u.Name] = u.PasswordHash
	}
	if got, want := len(hashes), 6; got != want {
		t.Errorf("%d users, want %d", got, want)
	}
	if got := hashes["bacongobbler"]; !strings.HasPrefix(got, "$2b$12$") || len(got) != 60 {
		t.Errorf("bacongobbler's Django bcrypt hash was not carried: %q", got)
	}
	for _, u := range []string{"gabrtv", "carmstrong", "mboersma", "slack-bot", "intern"} {
		if hashes[u] != "" {
			t.Errorf("%s: hash %q carried, want none", u, hashes[u])
		}
	}
	if got, want := plan.Notes.PasswordsDropped, []string{"carmstrong", "gabrtv", "intern"}; !reflect.DeepEqual(got, want) {
		t.Errorf("passwords dropped = %v, want %v", got, want)
	}
	want := []migrate.Assignment{
		{User: "bacongobbler", Role: "app-collaborator", Value: "go-worker"},
		{User: "bacongobbler", Role: "app-owner", Value: "deis-website"},
		{User: "carmstrong", Role: "app-collaborator", Value: "deis-website"},
		{User: "carmstrong", Role: "app-collaborator", Value: "status-page"},
		{User: "carmstrong", Role: "app-owner", Value: "ruby-sample-2a9f"},
		{User: "gabrtv", Role: "app-owner", Value: "go-worker"},
		{User: "mboersma", Role: "app-collaborator", Value: "deis-website"},
		{User: "mboersma", Role: "app-owner", Value: "status-page"},
		{User: "slack-bot", Role: "app-collaborator", Value: "status-page"},
	}
	if got := plan.Assignments; !reflect.DeepEqual(got, want) {
		t.Errorf("assignments:\n got %+v\nwant %+v", got, want)
	}
}

// The collaborator role is exactly Deis's default app permissions mapped
// onto tsuru's catalog, plus seeing the app; the owner's is unlimited.
func TestDeisRoles(t *testing.T) {
	roles := migrate.DeisRoles()
	owner, collab := roles[0], roles[1]
	if owner.Name != "app-owner" || owner.Context != "app" || !owner.Unlimited || !reflect.DeepEqual(owner.Permissions, []string{"app"}) {
		t.Errorf("owner role = %+v", owner)
	}
	want := []string{"app.read.info", "app.read.log", "app.read.deploy", "app.read.env", "app.update.env",
		"app.update.cname", "app.deploy", "app.update.unit"}
	if collab.Name != "app-collaborator" || collab.Context != "app" || collab.Unlimited || !reflect.DeepEqual(collab.Permissions, want) {
		t.Errorf("collaborator role = %+v", collab)
	}
}

// A bad export is refused, naming the offending entry.
func TestDeisRefuses(t *testing.T) {
	for _, c := range []struct{ name, input, want string }{
		{"repeated user", `{"users":[{"username":"a","is_superuser":false},{"username":"a","is_superuser":true}],"apps":[]}`, `users[1]: user "a" is repeated`},
		{"unknown owner", `{"users":[{"username":"a","is_superuser":false}],"apps":[{"id":"web","owner":"ghost","collaborators":[]}]}`, `apps[0] (web): owner "ghost"`},
		{"unknown collaborator", `{"users":[{"username":"a","is_superuser":false}],"apps":[{"id":"web","owner":"a","collaborators":["b"]}]}`, `collaborator "b" is not among the users`},
		{"repeated collaborator", `{"users":[{"username":"a","is_superuser":false},{"username":"b","is_superuser":false}],"apps":[{"id":"web","owner":"a","collaborators":["b","b"]}]}`, `collaborator "b" is repeated`},
		{"repeated app", `{"users":[{"username":"a","is_superuser":false}],"apps":[{"id":"web","owner":"a","collaborators":[]},{"id":"web","owner":"a","collaborators":[]}]}`, `apps[1] (web): app "web" is repeated`},
		{"app id with a space", `{"users":[{"username":"a","is_superuser":false}],"apps":[{"id":"my app","owner":"a","collaborators":[]}]}`, `app id "my app"`},
		{"empty app id", `{"users":[{"username":"a","is_superuser":false}],"apps":[{"id":"","owner":"a","collaborators":[]}]}`, `app id ""`},
		{"user name with a space", `{"users":[{"username":"a b","is_superuser":false}],"apps":[]}`, `users[0]`},
		{"unknown field", `{"users":[{"username":"a","is_superuser":false,"is_staff":true}],"apps":[]}`, `is_staff`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := migrate.Parse("deis", []byte(c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one naming %q", err, c.want)
			}
		})
	}
}

func sortedRoles(rs []migrate.Role) []migrate.Role {
	p := &migrate.Plan{Roles: rs}
	p.Normalize()
	return p.Roles
}
