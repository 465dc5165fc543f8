package migrate

import (
	"fmt"
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/internal/strictjson"
)

// DeisSnapshot is a Deis v1 controller's users and apps (docs/migration.md
// says how to export it from the controller's API or database): what its
// permissions depend on, nothing else. Deis has no teams.
type DeisSnapshot struct {
	Users []DeisUser `json:"users"`
	Apps  []DeisApp  `json:"apps"`
}

// DeisUser is one django.contrib.auth user.
type DeisUser struct {
	Username    string `json:"username"`
	Email       string `json:"email,omitempty"` // not carried: the ledger has none
	IsSuperuser bool   `json:"is_superuser"`
	// Password is Django's encoded hash, if exported from the database:
	// "bcrypt$<bcrypt>" (BCryptPasswordHasher) is carried, any other
	// scheme (pbkdf2_sha256, Deis's default) is dropped; an unusable
	// password ("!...", set_unusable_password) is no password.
	Password string `json:"password,omitempty"`
}

// DeisApp is one app: its owner and the users it is shared with
// (django-guardian's use_app, `deis perms:create USER -a APP`).
type DeisApp struct {
	ID            string   `json:"id"`
	Owner         string   `json:"owner"`
	Collaborators []string `json:"collaborators"`
}

// Role names of the Deis mapping.
const (
	RoleAppOwner        = "app-owner"
	RoleAppCollaborator = "app-collaborator"
)

// DeisCollaboratorPermissions is what a collaborator holds on a shared app:
// seeing the app, its logs and releases (use_app), and Deis's default app
// permissions: config (app.read.env, app.update.env), domains
// (app.update.cname), push (app.deploy), scale (app.update.unit).
var DeisCollaboratorPermissions = []string{
	"app.read.info", "app.read.log", "app.read.deploy",
	"app.read.env", "app.update.env",
	"app.update.cname",
	"app.deploy",
	"app.update.unit",
}

// DeisRoles are the two roles of the Deis mapping: the owner's, unlimited
// on its app (R2: "cannot be limited"), and the collaborator's.
func DeisRoles() []Role {
	return []Role{
		{Name: RoleAppOwner, Context: "app", Unlimited: true, Permissions: []string{"app"}},
		{Name: RoleAppCollaborator, Context: "app", Permissions: append([]string(nil), DeisCollaboratorPermissions...)},
	}
}

// ParseDeis decodes a Deis snapshot strictly (unknown fields are errors)
// and validates it.
func ParseDeis(data []byte) (*DeisSnapshot, error) {
	var s DeisSnapshot
	if err := strictjson.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("deis snapshot: %v", err)
	}
	return &s, s.Validate()
}

// Validate refuses a repeated or malformed user or app, and an app whose
// owner or collaborator is not among the users, naming the entry.
func (s *DeisSnapshot) Validate() error {
	users := map[string]bool{}
	for i, u := range s.Users {
		if err := validUserEntry(u.Username, users); err != nil {
			return fmt.Errorf("deis snapshot: users[%d]: %v", i, err)
		}
	}
	apps := map[string]bool{}
	for i, a := range s.Apps {
		if err := validDeisApp(i, a, users, apps); err != nil {
			return err
		}
	}
	return nil
}

func validDeisApp(i int, a DeisApp, users, apps map[string]bool) error {
	where := fmt.Sprintf("deis snapshot: apps[%d] (%s)", i, a.ID)
	if _, err := catalog.ParseContext("app:" + a.ID); err != nil || a.ID == "" {
		return fmt.Errorf("%s: app id %q is not a valid context value", where, a.ID)
	}
	if apps[a.ID] {
		return fmt.Errorf("%s: app %q is repeated", where, a.ID)
	}
	apps[a.ID] = true
	if !users[a.Owner] {
		return fmt.Errorf("%s: owner %q is not among the users", where, a.Owner)
	}
	seen := map[string]bool{}
	for _, c := range a.Collaborators {
		if !users[c] {
			return fmt.Errorf("%s: collaborator %q is not among the users", where, c)
		}
		if seen[c] {
			return fmt.Errorf("%s: collaborator %q is repeated", where, c)
		}
		seen[c] = true
	}
	return nil
}

// Plan maps the snapshot: every user (superusers get the admin flag), the
// owner of each app app-owner on it, each collaborator app-collaborator on
// it. Users who own nothing and collaborate on nothing get no role.
func (s *DeisSnapshot) Plan() *Plan {
	p := &Plan{Source: "deis", Roles: DeisRoles(), Teams: []string{}}
	for _, u := range s.Users {
		legacy := u.Password
		if strings.HasPrefix(legacy, "!") {
			legacy = ""
		}
		hash, dropped := carryHash(legacy)
		if dropped {
			p.Notes.PasswordsDropped = append(p.Notes.PasswordsDropped, u.Username)
		}
		p.Users = append(p.Users, User{Name: u.Username, PasswordHash: hash})
		if u.IsSuperuser {
			p.Admins = append(p.Admins, u.Username)
		}
	}
	for _, a := range s.Apps {
		p.Assignments = append(p.Assignments, Assignment{User: a.Owner, Role: RoleAppOwner, Value: a.ID})
		for _, c := range a.Collaborators {
			p.Assignments = append(p.Assignments, Assignment{User: c, Role: RoleAppCollaborator, Value: a.ID})
		}
	}
	p.Normalize()
	return p
}
