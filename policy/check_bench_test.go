package policy

import (
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
)

// benchSubject holds what a user of the benchmark data set holds
// (scripts/bench): two team memberships, team creation, app, pool and
// service roles, two grants and a deny, each with its provenance.
func benchSubject() (*Subject, RoleMap) {
	prov := Provenance{Seq: 1234, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Actor: "admin", CommandID: "c1"}
	rp := func(ps ...string) []RolePermission {
		out := make([]RolePermission, len(ps))
		for i, p := range ps {
			out[i] = RolePermission{Permission: p, Prov: prov}
		}
		return out
	}
	roles := RoleMap{
		"team-member":   {Name: "team-member", Context: "team", Permissions: rp("app", "team", "service-instance")},
		"team-creator":  {Name: "team-creator", Context: "global", Permissions: rp("team.create")},
		"app-deployer":  {Name: "app-deployer", Context: "app", Permissions: rp("app.deploy", "app.read", "app.update.restart")},
		"pool-operator": {Name: "pool-operator", Context: "pool", Permissions: rp("pool.read", "pool.update", "volume")},
		"service-owner": {Name: "service-owner", Context: "service", Permissions: rp("service.read", "service.update")},
	}
	s := &Subject{Name: "user-0000042@corp.example", Exists: true, Active: true,
		Assignments: []Assignment{
			{Role: "team-member", Value: "team-000001", Prov: prov}, {Role: "team-member", Value: "team-000002", Prov: prov},
			{Role: "team-creator", Prov: prov}, {Role: "app-deployer", Value: "app-0000001", Prov: prov},
			{Role: "app-deployer", Value: "app-0000002", Prov: prov}, {Role: "pool-operator", Value: "pool-001", Prov: prov},
			{Role: "service-owner", Value: "service-001", Prov: prov},
		},
		Overrides: []Override{
			{Permission: "app.update.env.set", Context: "app:app-0000003", Allow: true, Prov: prov},
			{Permission: "job", Context: "team:team-000001", Allow: true, Prov: prov},
			{Permission: "app.deploy", Context: "app:app-0000002", Prov: prov},
		},
	}
	return s, roles
}

// BenchmarkCheck times the evaluator alone (no read model) on the check
// kinds of the benchmark data set.
func BenchmarkCheck(b *testing.B) {
	cat := catalog.Default()
	s, roles := benchSubject()
	cases := []struct {
		name    string
		perm    string
		ctxs    []string
		allowed bool
	}{
		{"role-in-app", "app.deploy", []string{"app:app-0000001", "pool:pool-001"}, true},
		{"denied-by-override", "app.deploy", []string{"app:app-0000002"}, false},
		{"role-in-team", "app.update.env.unset", []string{"app:app-0000009", "team:team-000002"}, true},
		{"nothing-matches", "pool.update", []string{"pool:pool-002"}, false},
		{"global-role", "team.create", nil, true},
	}
	for _, c := range cases {
		contexts := ctxs(c.ctxs...)
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if d := Check(cat, s, roles, c.perm, contexts); d.Allowed != c.allowed {
					b.Fatalf("allowed = %v, want %v (%s)", d.Allowed, c.allowed, d.Reason)
				}
			}
		})
	}
	b.Run("admin", func(b *testing.B) {
		admin := *s
		admin.Admin = true
		contexts := ctxs("app:x")
		for b.Loop() {
			Check(cat, &admin, roles, "app.deploy", contexts)
		}
	})
}
