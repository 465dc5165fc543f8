package migrate

import (
	"fmt"
	"strings"

	"github.com/permledger/permledger/catalog"
)

// PypicloudConfig is what pypicloud's config-file access backend
// (pypicloud.access.config) reads from the app section of its .ini:
// `user.NAME = HASH`, `auth.admins = NAME...`, `group.NAME = MEMBER...`.
// `package.*` rules are counted, not mapped; every other key is the rest of
// pypicloud's configuration and is ignored.
type PypicloudConfig struct {
	Section      string
	Users        []PypicloudUser
	Admins       []string
	Groups       []PypicloudGroup
	PackageRules int
}

// PypicloudUser is one `user.NAME = HASH` entry: a passlib hash.
type PypicloudUser struct {
	Name, Hash string
	Line       int
}

// PypicloudGroup is one `group.NAME = MEMBER...` entry.
type PypicloudGroup struct {
	Name    string
	Members []string
	Line    int
}

// pypicloudReserved are the groups pypicloud defines itself
// (system.Everyone, system.Authenticated): no file can list members for them.
var pypicloudReserved = map[string]bool{"everyone": true, "authenticated": true}

// ParsePypicloud reads a pypicloud .ini file and validates it. The section
// is [app:main], or the only [app:NAME] section when there is no main.
func ParsePypicloud(data []byte) (*PypicloudConfig, error) {
	f, err := parseINI(string(data))
	if err != nil {
		return nil, fmt.Errorf("pypicloud config: %v", err)
	}
	section, err := pypicloudSection(f)
	if err != nil {
		return nil, err
	}
	c := &PypicloudConfig{Section: section}
	for _, e := range f.settings(section) {
		c.add(e)
	}
	return c, c.Validate()
}

func pypicloudSection(f *iniFile) (string, error) {
	var apps []string
	for _, s := range f.Order {
		if s == "app:main" {
			return s, nil
		}
		if strings.HasPrefix(s, "app:") {
			apps = append(apps, "["+s+"]")
		}
	}
	if len(apps) == 1 {
		return apps[0][1 : len(apps[0])-1], nil
	}
	if len(apps) == 0 {
		return "", fmt.Errorf("pypicloud config: no [app:main] section")
	}
	return "", fmt.Errorf("pypicloud config: no [app:main] section, and several app sections: %s", strings.Join(apps, " "))
}

// add files one setting; aslist splits on whitespace, as pyramid's does.
func (c *PypicloudConfig) add(e iniEntry) {
	switch {
	case strings.HasPrefix(e.Key, "user."):
		c.Users = append(c.Users, PypicloudUser{Name: e.Key[len("user."):], Hash: e.Value, Line: e.Line})
	case e.Key == "auth.admins":
		c.Admins = strings.Fields(e.Value)
	case strings.HasPrefix(e.Key, "group."):
		c.Groups = append(c.Groups, PypicloudGroup{Name: e.Key[len("group."):], Members: strings.Fields(e.Value), Line: e.Line})
	case strings.HasPrefix(e.Key, "package."):
		c.PackageRules++
	}
}

// Validate refuses a malformed user or group name, a reserved group, and
// an admin or group member without a user.NAME entry, naming the entry.
// Repeated users are refused by the parser (a repeated key).
func (c *PypicloudConfig) Validate() error {
	users := map[string]bool{}
	for _, u := range c.Users {
		if err := validUserEntry(u.Name, users); err != nil {
			return fmt.Errorf("pypicloud config: line %d: user.%s: %v", u.Line, u.Name, err)
		}
	}
	for _, a := range c.Admins {
		if !users[a] {
			return fmt.Errorf("pypicloud config: auth.admins: %q has no user.%s entry", a, a)
		}
	}
	for _, g := range c.Groups {
		if err := validGroup(g, users); err != nil {
			return err
		}
	}
	return nil
}

func validGroup(g PypicloudGroup, users map[string]bool) error {
	where := fmt.Sprintf("pypicloud config: line %d: group.%s", g.Line, g.Name)
	if err := catalog.ValidateName("team", g.Name); err != nil {
		return fmt.Errorf("%s: %v", where, err)
	}
	if pypicloudReserved[g.Name] {
		return fmt.Errorf("%s: %q is a reserved group in pypicloud and cannot be listed", where, g.Name)
	}
	for _, m := range g.Members {
		if !users[m] {
			return fmt.Errorf("%s: member %q has no user.%s entry", where, m, m)
		}
	}
	return nil
}

// Plan maps the configuration: every user (bcrypt hashes carried, other
// passlib schemes dropped), auth.admins the admin flag, every group a team
// whose members get team-member on it. pypicloud's users cannot create
// groups, so nobody gets team-creator; users in no group get no role.
func (c *PypicloudConfig) Plan() *Plan {
	p := &Plan{Source: "pypicloud", Roles: []Role{tsuruTeamMember()}}
	for _, u := range c.Users {
		hash, dropped := carryHash(u.Hash)
		if dropped {
			p.Notes.PasswordsDropped = append(p.Notes.PasswordsDropped, u.Name)
		}
		p.Users = append(p.Users, User{Name: u.Name, PasswordHash: hash})
	}
	p.Admins = dedupe(c.Admins)
	for _, g := range c.Groups {
		p.Teams = append(p.Teams, g.Name)
		for _, m := range dedupe(g.Members) {
			p.Assignments = append(p.Assignments, Assignment{User: m, Role: RoleTeamMember, Value: g.Name})
		}
	}
	if c.PackageRules > 0 {
		p.Notes.Ignored = append(p.Notes.Ignored, fmt.Sprintf(
			"%d package.* rules (per-package read/write): the tsuru catalog has no packages", c.PackageRules))
	}
	p.Normalize()
	return p
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
