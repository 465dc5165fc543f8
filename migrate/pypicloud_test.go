package migrate_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/permledger/permledger/migrate"
)

// A realistic pypicloud server.ini with the config access backend: users
// with passlib hashes (bcrypt carried, sha512_crypt dropped), auth.admins
// the admin flag, groups teams whose members get team-member; package
// rules counted as not mapped; everything else ignored.
func TestPypicloudSample(t *testing.T) {
	data, err := os.ReadFile("testdata/pypicloud.ini")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := migrate.Parse("pypicloud", data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if err := plan.Validate(); err != nil {
		t.Fatalf("the plan does not validate: %v", err)
	}
	if got, want := len(plan.Roles), 1; got != want || plan.Roles[0].Name != "team-member" {
		t.Errorf("roles = %+v, want team-member only (pypicloud users cannot create groups)", plan.Roles)
	}
	if got, want := plan.Teams, []string{"data-science", "packagers", "release-managers"}; !reflect.DeepEqual(got, want) {
		t.Errorf("teams = %v, want %v", got, want)
	}
	if got, want := plan.Admins, []string{"ops-bot", "stevearc"}; !reflect.DeepEqual(got, want) {
		t.Errorf("admins = %v, want %v", got, want)
	}
	carried := map[string]bool{}
	for _, u := range plan.Users {
		carried[u.Name] = u.PasswordHash != ""
	}
	if want := map[string]bool{"stevearc": false, "ops-bot": true, "dsa": true, "donlan": false, "ci": true}; !reflect.DeepEqual(carried, want) {
		t.Errorf("users (hash carried) = %v, want %v", carried, want)
	}
	if got, want := plan.Notes.PasswordsDropped, []string{"donlan", "stevearc"}; !reflect.DeepEqual(got, want) {
		t.Errorf("passwords dropped = %v, want %v", got, want)
	}
	if got := plan.Notes.Ignored; len(got) != 1 || !strings.HasPrefix(got[0], "4 package.* rules") {
		t.Errorf("ignored = %q, want the 4 package rules", got)
	}
	want := []migrate.Assignment{
		{User: "ci", Role: "team-member", Value: "packagers"},
		{User: "donlan", Role: "team-member", Value: "packagers"},
		{User: "dsa", Role: "team-member", Value: "data-science"},
		{User: "dsa", Role: "team-member", Value: "packagers"},
		{User: "stevearc", Role: "team-member", Value: "data-science"},
	}
	if got := plan.Assignments; !reflect.DeepEqual(got, want) {
		t.Errorf("assignments:\n got %+v\nwant %+v", got, want)
	}
}

// A bad configuration is refused, naming the offending entry.
func TestPypicloudRefuses(t *testing.T) {
	for _, c := range []struct{ name, input, want string }{
		{"repeated user", "[app:main]\nuser.a = x\nuser.b = y\nuser.a = z\n", "line 4: user.a is repeated in [app:main] (first on line 2)"},
		{"group member without a user", "[app:main]\nuser.a = x\ngroup.devs =\n    a\n    ghost\n", `line 3: group.devs: member "ghost" has no user.ghost entry`},
		{"admin without a user", "[app:main]\nuser.a = x\nauth.admins = a root\n", `auth.admins: "root" has no user.root entry`},
		{"reserved group", "[app:main]\nuser.a = x\ngroup.everyone = a\n", `group.everyone: "everyone" is a reserved group`},
		{"no app section", "[server:main]\nport = 6543\n", "no [app:main] section"},
		{"several app sections", "[app:pypi]\nuse = egg:pypicloud\n[app:other]\nuse = egg:other\n", "[app:pypi] [app:other]"},
		{"key before any section", "user.a = x\n[app:main]\n", "line 1"},
		{"not key = value", "[app:main]\njust words\n", `line 2: "just words"`},
		{"repeated section", "[app:main]\n[app:main]\n", "line 2: section [app:main] is repeated"},
		{"user name with a control character", "[app:main]\nuser.a\x01b = x\n", "line 2: user.a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := migrate.Parse("pypicloud", []byte(c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one naming %q", err, c.want)
			}
		})
	}
}

// The .ini is read as PasteDeploy reads it: the app section over DEFAULT,
// keys as written, ':' or '=', continuation lines, whole-line comments.
func TestPypicloudINI(t *testing.T) {
	input := "[DEFAULT]\nuser.shared = $2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW\n" +
		"[app:pypicloud]\nuse = egg:pypicloud\nuser.Alice: $6$rounds=1000$salt$hash\n" +
		"group.ops =\n  Alice\n  # a comment inside the list\n\n  shared\n" +
		"auth.admins = Alice\n"
	c, err := migrate.ParsePypicloud([]byte(input))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Section, "app:pypicloud"; got != want {
		t.Errorf("section = %q, want %q", got, want)
	}
	var names []string
	for _, u := range c.Users {
		names = append(names, u.Name)
	}
	if got, want := names, []string{"shared", "Alice"}; !reflect.DeepEqual(got, want) {
		t.Errorf("users = %v, want %v (DEFAULT first, case kept)", got, want)
	}
	if got, want := c.Groups[0].Members, []string{"Alice", "shared"}; !reflect.DeepEqual(got, want) {
		t.Errorf("group members = %v, want %v", got, want)
	}
	if got, want := c.Admins, []string{"Alice"}; !reflect.DeepEqual(got, want) {
		t.Errorf("admins = %v, want %v", got, want)
	}
}
