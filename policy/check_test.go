package policy

import (
	"testing"

	"github.com/permledger/permledger/catalog"
)

func ctxs(ss ...string) []catalog.Context {
	out := make([]catalog.Context, 0, len(ss))
	for _, s := range ss {
		c, err := catalog.ParseContext(s)
		if err != nil {
			panic(err)
		}
		out = append(out, c)
	}
	return out
}

func roles() RoleMap {
	rp := func(ps ...string) []RolePermission {
		out := make([]RolePermission, len(ps))
		for i, p := range ps {
			out[i] = RolePermission{Permission: p}
		}
		return out
	}
	return RoleMap{
		"deployer": {Name: "deployer", Context: "team", Permissions: rp("app.deploy", "app.read")},
		"owner":    {Name: "owner", Context: "app", Unlimited: true, Permissions: rp("app")},
		"AllowAll": {Name: "AllowAll", Context: "global", Unlimited: true, Permissions: rp("*")},
		"janitor":  {Name: "janitor", Context: "global", Permissions: rp("app.update.env.unset")},
		"default":  {Name: "default", Context: "global", Permissions: rp("app.create")},
	}
}

func TestCheckRules(t *testing.T) {
	cat := catalog.Default()
	bob := func(mod func(*Subject)) *Subject {
		s := &Subject{Name: "bob", Exists: true, Active: true,
			Assignments: []Assignment{{Role: "deployer", Value: "blue"}, {Role: "owner", Value: "web"}}}
		if mod != nil {
			mod(s)
		}
		return s
	}
	deny := func(p, c string) func(*Subject) {
		return func(s *Subject) { s.Overrides = append(s.Overrides, Override{Permission: p, Context: c}) }
	}
	allow := func(p, c string) func(*Subject) {
		return func(s *Subject) { s.Overrides = append(s.Overrides, Override{Permission: p, Context: c, Allow: true}) }
	}
	cases := []struct {
		name    string
		s       *Subject
		perm    string
		ctxs    []string
		allowed bool
		rule    string
	}{
		{"R0 unknown user", &Subject{Name: "ghost"}, "app.read", nil, false, "R5"},
		{"R0 pending beats admin", &Subject{Name: "p", Exists: true, Admin: true}, "app.read", nil, false, "R5"},
		{"R1 admin beats deny", &Subject{Name: "a", Exists: true, Active: true, Admin: true,
			Overrides: []Override{{Permission: "*", Context: "global"}}}, "pool.create", nil, true, "R1"},
		{"R4 team holding", bob(nil), "app.deploy", []string{"team:blue"}, true, "R4"},
		{"R6 child of held", bob(nil), "app.deploy.git", []string{"team:blue"}, true, "R4"},
		{"R6 parent not granted", bob(nil), "app", []string{"team:blue"}, false, "R5"},
		{"R7 other team", bob(nil), "app.deploy", []string{"team:red"}, false, "R5"},
		{"R7 no contexts", bob(nil), "app.deploy", nil, false, "R5"},
		{"R2 unlimited matches", bob(deny("app.delete", "global")), "app.delete", []string{"app:web"}, true, "R2"},
		{"R3 deny where unlimited does not match", bob(deny("app.delete", "global")), "app.delete", []string{"app:api"}, false, "R3"},
		{"R3 deny beats role", bob(deny("app.deploy", "team:blue")), "app.deploy", []string{"team:blue"}, false, "R3"},
		{"R3 parent deny covers child", bob(deny("app", "global")), "app.read.log", []string{"team:blue"}, false, "R3"},
		{"R3 deny in other context ignored", bob(deny("app.deploy", "team:red")), "app.deploy", []string{"team:blue"}, true, "R4"},
		{"R4 allow override", bob(allow("pool.create", "global")), "pool.create", nil, true, "R4"},
		{"R3 deny beats allow override", bob(func(s *Subject) {
			allow("app.read", "team:blue")(s)
			deny("app", "global")(s)
		}), "app.read", []string{"team:blue"}, false, "R3"},
		{"ignored context type", bob(nil), "app.create", []string{"team:red", "app:web"}, true, "R4"}, // default role, global
		{"unlimited ignored where type not allowed", bob(nil), "team.create", []string{"app:web"}, false, "R5"},
		{"R9 self", bob(nil), "user.update.password", []string{"user:bob"}, true, "R4"},
		{"R9 not another user", bob(nil), "user.update.password", []string{"user:carol"}, false, "R5"},
		{"R9 not apikey", bob(nil), "apikey.update", []string{"user:bob"}, false, "R5"},
		{"R9 not a global-only permission", bob(nil), "user.create", []string{"user:bob"}, false, "R5"},
		{"R3 beats self", bob(deny("user.update.password", "user:bob")), "user.update.password", []string{"user:bob"}, false, "R3"},
		{"default role", bob(nil), "app.create", nil, true, "R4"},
		{"deny beats default role", bob(deny("app.create", "global")), "app.create", nil, false, "R3"},
		{"global role matches any context", &Subject{Name: "c", Exists: true, Active: true,
			Assignments: []Assignment{{Role: "janitor"}}}, "app.update.env.unset", []string{"team:green"}, true, "R4"},
		{"R2 AllowAll without admin", &Subject{Name: "c", Exists: true, Active: true,
			Assignments: []Assignment{{Role: "AllowAll"}}, Overrides: []Override{{Permission: "app.deploy", Context: "global"}}},
			"app.deploy", []string{"team:blue"}, true, "R2"},
		{"dangling role contributes nothing", &Subject{Name: "c", Exists: true, Active: true,
			Assignments: []Assignment{{Role: "removed", Value: "x"}}}, "pool.create", nil, false, "R5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Check(cat, tc.s, roles(), tc.perm, ctxs(tc.ctxs...))
			if d.Allowed != tc.allowed || d.Rule != tc.rule {
				t.Errorf("Check = %v by %s (%s), want %v by %s", d.Allowed, d.Rule, d.Reason, tc.allowed, tc.rule)
			}
			if d.Allowed && d.Match == nil {
				t.Error("an allow must say what matched")
			}
		})
	}
}

func TestCheckExplainsRoleMatch(t *testing.T) {
	s := &Subject{Name: "bob", Exists: true, Active: true,
		Assignments: []Assignment{{Role: "deployer", Value: "blue", Prov: Provenance{Seq: 7, Actor: "root", CommandID: "c7"}}}}
	d := Check(catalog.Default(), s, roles(), "app.deploy.git", ctxs("team:blue"))
	m := d.Match
	if m == nil || m.Kind != KindRole || m.Role != "deployer" || m.Permission != "app.deploy" ||
		m.Context.String() != "team:blue" || m.Prov.Seq != 7 || m.Prov.CommandID != "c7" {
		t.Errorf("match = %+v", m)
	}
}
