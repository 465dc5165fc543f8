package migrate_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/permledger/permledger/migrate"
)

const conformanceSnapshot = `{"admin_team":"admins","teams":["admins","t1","t2","t3"],"users":[{"user":"x@corp.com","teams":["admins"]},{"user":"y@corp.com","teams":["t1","t2"]},{"user":"z@corp.com","teams":["admins","t3"]},{"user":"w@corp.com","teams":[]}]}`

// A tsuru snapshot keeps the run id it had before plans carried admins and
// notes: a run stopped half-way by the earlier code resumes, not repeats.
func TestTsuruRunIDIsStable(t *testing.T) {
	plan, err := migrate.Parse("tsuru", []byte(conformanceSnapshot))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := plan.RunID(), "tsuru-3177f7d6d6ee570dccfc"; got != want {
		t.Errorf("run id = %s, want %s", got, want)
	}
}

// The admin flags are part of the run's content; the notes are not.
func TestRunIDCoversAdminsNotNotes(t *testing.T) {
	base := func() *migrate.Plan {
		p := &migrate.Plan{Source: "deis", Roles: migrate.DeisRoles(), Users: []migrate.User{{Name: "a"}, {Name: "b"}}}
		p.Normalize()
		return p
	}
	withAdmin, withNote := base(), base()
	withAdmin.Admins = []string{"a"}
	withNote.Notes.PasswordsDropped = []string{"b"}
	if base().RunID() == withAdmin.RunID() {
		t.Error("making a user admin does not change the run id")
	}
	if base().RunID() != withNote.RunID() {
		t.Error("a note changes the run id")
	}
}

// Steps: roles, teams in chunks, then users with their own assignments and
// admin flags, never more than UsersPerStep users or (unless one user has
// more) ItemsPerStep items in a step.
func TestSteps(t *testing.T) {
	p := &migrate.Plan{Source: "tsuru", Roles: migrate.TsuruRoles()}
	for i := range 2500 {
		p.Teams = append(p.Teams, fmt.Sprintf("t%04d", i))
	}
	for i := range 700 {
		u := fmt.Sprintf("u%04d", i)
		p.Users = append(p.Users, migrate.User{Name: u})
		teams := 1
		if i >= 400 && i < 410 {
			teams = 200 // ten users in 200 teams each
		}
		for j := range teams {
			p.Assignments = append(p.Assignments, migrate.Assignment{User: u, Role: "team-member", Value: fmt.Sprintf("t%04d", j)})
		}
		if i%100 == 0 {
			p.Admins = append(p.Admins, u)
		}
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	steps := p.Steps()
	if got := len(steps[0].Roles); got != 3 || len(steps[0].Users)+len(steps[0].Teams) != 0 {
		t.Errorf("step 0 = %d roles and more, want the 3 roles only", got)
	}
	teams, users, assignments, admins := 0, 0, 0, 0
	for i, s := range steps {
		if s.Index != i || s.Of != len(steps) {
			t.Errorf("step %d is numbered %d of %d", i, s.Index, s.Of)
		}
		teams += len(s.Teams)
		if len(s.Teams) > migrate.TeamsPerStep || len(s.Users) > migrate.UsersPerStep {
			t.Errorf("step %d: %d teams, %d users", i, len(s.Teams), len(s.Users))
		}
		if items := len(s.Users) + len(s.Assignments) + len(s.Admins); items > migrate.ItemsPerStep && len(s.Users) > 1 {
			t.Errorf("step %d: %d items in %d users", i, items, len(s.Users))
		}
		in := map[string]bool{}
		for _, u := range s.Users {
			in[u.Name] = true
		}
		for _, a := range s.Assignments {
			if !in[a.User] {
				t.Errorf("step %d assigns %s, created in another step", i, a.User)
			}
		}
		for _, a := range s.Admins {
			if !in[a] {
				t.Errorf("step %d makes %s admin, created in another step", i, a)
			}
		}
		users, assignments, admins = users+len(s.Users), assignments+len(s.Assignments), admins+len(s.Admins)
	}
	if teams != 2500 || users != 700 || assignments != len(p.Assignments) || admins != 7 {
		t.Errorf("steps cover %d teams, %d users, %d assignments, %d admins", teams, users, assignments, admins)
	}
}

// Validate refuses any plan the ledger could not hold, naming the entry,
// whatever built it.
func TestPlanValidate(t *testing.T) {
	good := func() *migrate.Plan {
		return &migrate.Plan{Source: "test", Roles: migrate.TsuruRoles(), Teams: []string{"blue"},
			Users:       []migrate.User{{Name: "ann"}, {Name: "bob"}},
			Assignments: []migrate.Assignment{{User: "bob", Role: "team-member", Value: "blue"}, {User: "ann", Role: "admin"}},
			Admins:      []string{"ann"}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a good plan: %v", err)
	}
	for _, c := range []struct {
		name string
		edit func(p *migrate.Plan)
		want string
	}{
		{"no source", func(p *migrate.Plan) { p.Source = "" }, "source"},
		{"a source with a colon", func(p *migrate.Plan) { p.Source = "a:b" }, "source"},
		{"repeated role", func(p *migrate.Plan) { p.Roles = append(p.Roles, p.Roles[0]) }, `role "admin" is repeated`},
		{"role without permissions", func(p *migrate.Plan) { p.Roles[0].Permissions = nil }, `role "admin" needs`},
		{"default on the wrong event", func(p *migrate.Plan) { p.Roles[1].Defaults = []string{"user-create"} }, `role "team-member" (context team) cannot be a default on "user-create"`},
		{"repeated team", func(p *migrate.Plan) { p.Teams = append(p.Teams, "blue") }, `teams[1]: team "blue" is repeated`},
		{"repeated user", func(p *migrate.Plan) { p.Users = append(p.Users, migrate.User{Name: "ann"}) }, `users[2]: user "ann" is repeated`},
		{"not a bcrypt hash", func(p *migrate.Plan) { p.Users[0].PasswordHash = "$6$x$y" }, `"ann": password_hash is not a bcrypt hash`},
		{"assignment of an unknown user", func(p *migrate.Plan) { p.Assignments[0].User = "cid" }, `user "cid" is not among`},
		{"assignment of an unknown role", func(p *migrate.Plan) { p.Assignments[0].Role = "owner" }, `role "owner" is not among`},
		{"assignment to an unlisted team", func(p *migrate.Plan) { p.Assignments[0].Value = "red" }, `team "red" is not among`},
		{"a global role with a value", func(p *migrate.Plan) { p.Assignments[1].Value = "x" }, `global role "admin" takes no value`},
		{"a team role without a value", func(p *migrate.Plan) { p.Assignments[0].Value = "" }, `needs a value`},
		{"a repeated assignment", func(p *migrate.Plan) { p.Assignments = append(p.Assignments, p.Assignments[0]) }, `assignments[2] (bob team-member blue): repeated`},
		{"an admin who is not a user", func(p *migrate.Plan) { p.Admins = []string{"root"} }, `admins[0]: user "root"`},
		{"a repeated admin", func(p *migrate.Plan) { p.Admins = []string{"ann", "ann"} }, `admins[1]: user "ann" is repeated`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := good()
			c.edit(p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one naming %q", err, c.want)
			}
		})
	}
}
