package policy_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
)

// The check evaluator against a reference written from SEMANTICS.md section
// 2 alone, on random states. The reference shares no code with package
// policy: it computes allowed contexts from the catalog's declared file, not
// from catalog.Allows, and works on plain strings.

// Pools the random states draw from: every name is in the built-in catalog.
var (
	refPerms = []string{"*", "app", "app.create", "app.deploy", "app.read", "app.update", "app.update.env.set",
		"team", "team.create", "user", "user.create", "user.delete", "user.update.password", "apikey",
		"apikey.update", "pool", "pool.create", "permission", "permission.grant", "service", "service-instance", "app.update.bind",
		"app.update.bind-volume", "job", "role.create"}
	refContexts = []string{"global", "team:a", "team:b", "app:web", "app:api", "user:u0", "user:u1",
		"pool:p1", "service:s", "service-instance:s", "job:j"}
	refRoleTypes = []string{"global", "team", "app", "user", "pool", "job", "service-instance"}
	refValues    = []string{"a", "b", "web", "api", "u0", "u1", "p1", "j"}
)

// refUser and refRole are the reference's own model of a state.
type refUser struct {
	name                  string
	exists, active, admin bool
	assignments           [][2]string        // role, value
	overrides             map[[2]string]bool // (permission, context) -> allow
}

type refRole struct {
	name, typ string
	unlimited bool
	perms     []string
}

type refCase struct {
	user     refUser
	roles    map[string]refRole
	perm     string
	contexts []string
}

// bytesSource turns fuzz input into choices; exhausted, it answers zeros.
type bytesSource struct {
	data []byte
	i    int
}

func (b *bytesSource) next() int {
	if b.i >= len(b.data) {
		return 0
	}
	b.i++
	return int(b.data[b.i-1])
}

func (b *bytesSource) pick(n int) int { return b.next() % n }
func (b *bytesSource) flag() bool     { return b.next()%2 == 1 }

func pickFrom[T any](b *bytesSource, xs []T) T { return xs[b.pick(len(xs))] }

// genCase builds a state that commands could reach: the default role is
// global, never unlimited and never assigned; a global role's assignment
// has no value; one override per key. Dangling assignments (of a role that
// no longer exists) are allowed: they must contribute nothing.
func genCase(b *bytesSource) refCase {
	c := refCase{roles: map[string]refRole{}, perm: pickFrom(b, refPerms)}
	for i := range b.pick(5) {
		r := refRole{name: fmt.Sprintf("r%d", i), typ: pickFrom(b, refRoleTypes), unlimited: b.pick(4) == 0}
		r.perms = genPerms(b)
		c.roles[r.name] = r
	}
	if b.flag() {
		c.roles[policy.DefaultRole] = refRole{name: policy.DefaultRole, typ: "global", perms: genPerms(b)}
	}
	c.user = genUser(b, c.roles)
	for range b.pick(5) {
		c.contexts = append(c.contexts, pickFrom(b, refContexts))
	}
	return c
}

func genPerms(b *bytesSource) []string {
	var out []string
	for range 1 + b.pick(3) {
		out = append(out, pickFrom(b, refPerms))
	}
	return out
}

func genUser(b *bytesSource, roles map[string]refRole) refUser {
	u := refUser{name: pickFrom(b, []string{"u0", "u1"}), exists: b.pick(8) != 0, active: b.pick(6) != 0,
		admin: b.pick(6) == 0, overrides: map[[2]string]bool{}}
	for range b.pick(4) {
		name := fmt.Sprintf("r%d", b.pick(6)) // r4, r5: dangling
		value := pickFrom(b, refValues)
		if r, ok := roles[name]; ok && r.typ == "global" {
			value = ""
		}
		u.assignments = append(u.assignments, [2]string{name, value})
	}
	for range b.pick(4) {
		u.overrides[[2]string{pickFrom(b, refPerms), pickFrom(b, refContexts)}] = b.flag()
	}
	return u
}

// refAllowedTypes is section 1: global plus the types the node declares,
// or those of its nearest declaring ancestor; * and undeclared trees allow
// global only.
func refAllowedTypes(f catalog.File, perm string) map[string]bool {
	declared := map[string]*[]string{}
	for _, n := range f.Permissions {
		declared[n.Name] = n.Contexts
	}
	out := map[string]bool{"global": true}
	for p := perm; p != "" && p != "*"; {
		if ctxs := declared[p]; ctxs != nil {
			for _, t := range *ctxs {
				out[t] = true
			}
			break
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return out
}

// refCovers is R6: a holding of held matches perm when held is perm, one of
// its ancestors, or *.
func refCovers(held, perm string) bool {
	return held == "*" || held == perm || strings.HasPrefix(perm, held+".")
}

// refCheck is rules R0-R5 (with R6, R7 and R9) read straight from the text.
func refCheck(f catalog.File, c refCase) (bool, string) {
	u := c.user
	if !u.exists || !u.active {
		return false, "R5"
	}
	if u.admin {
		return true, "R1"
	}
	allowed := refAllowedTypes(f, c.perm)
	matches := func(ctx string) bool {
		if ctx == "global" {
			return true
		}
		for _, x := range c.contexts {
			typ, _, _ := strings.Cut(x, ":")
			if x == ctx && allowed[typ] {
				return true
			}
		}
		return false
	}
	holding, unlimited := refRoleHoldings(c, matches)
	if unlimited {
		return true, "R2"
	}
	for k, allow := range u.overrides {
		if !allow && refCovers(k[0], c.perm) && matches(k[1]) {
			return false, "R3"
		}
	}
	if holding || refAllowOverride(u, c.perm, matches) || refDefaultRole(c) || refSelf(f, u, c.perm, matches) {
		return true, "R4"
	}
	return false, "R5"
}

func refRoleHoldings(c refCase, matches func(string) bool) (holding, unlimited bool) {
	for _, a := range c.user.assignments {
		r, ok := c.roles[a[0]]
		if !ok {
			continue
		}
		ctx := "global"
		if r.typ != "global" {
			ctx = r.typ + ":" + a[1]
		}
		for _, p := range r.perms {
			if refCovers(p, c.perm) && matches(ctx) {
				holding = true
				unlimited = unlimited || r.unlimited
			}
		}
	}
	return holding, unlimited
}

func refAllowOverride(u refUser, perm string, matches func(string) bool) bool {
	for k, allow := range u.overrides {
		if allow && refCovers(k[0], perm) && matches(k[1]) {
			return true
		}
	}
	return false
}

func refDefaultRole(c refCase) bool {
	r, ok := c.roles[policy.DefaultRole]
	if !ok {
		return false
	}
	for _, p := range r.perms {
		if refCovers(p, c.perm) {
			return true
		}
	}
	return false
}

func refSelf(f catalog.File, u refUser, perm string, matches func(string) bool) bool {
	for _, p := range f.Self {
		if refCovers(p, perm) && matches("user:"+u.name) {
			return true
		}
	}
	return false
}

// toPolicy converts a reference case into the evaluator's inputs.
func toPolicy(t testing.TB, c refCase) (*policy.Subject, policy.RoleMap, []catalog.Context) {
	s := &policy.Subject{Name: c.user.name, Exists: c.user.exists, Active: c.user.active, Admin: c.user.admin}
	for _, a := range c.user.assignments {
		s.Assignments = append(s.Assignments, policy.Assignment{Role: a[0], Value: a[1]})
	}
	for k, allow := range c.user.overrides {
		s.Overrides = append(s.Overrides, policy.Override{Permission: k[0], Context: k[1], Allow: allow})
	}
	roles := policy.RoleMap{}
	for _, r := range c.roles {
		pr := &policy.Role{Name: r.name, Context: r.typ, Unlimited: r.unlimited}
		for _, p := range r.perms {
			pr.Permissions = append(pr.Permissions, policy.RolePermission{Permission: p})
		}
		roles[r.name] = pr
	}
	var ctxs []catalog.Context
	for _, x := range c.contexts {
		ctx, err := catalog.ParseContext(x)
		if err != nil {
			t.Fatalf("pool context %q: %v", x, err)
		}
		ctxs = append(ctxs, ctx)
	}
	return s, roles, ctxs
}

// agree runs both evaluators on the state the bytes describe.
func agree(t testing.TB, data []byte) {
	cat := catalog.Default()
	c := genCase(&bytesSource{data: data})
	s, roles, ctxs := toPolicy(t, c)
	d := policy.Check(cat, s, roles, c.perm, ctxs)
	allowed, rule := refCheck(cat.File(), c)
	if d.Allowed != allowed || d.Rule != rule {
		t.Fatalf("policy.Check = %v by %s (%s), reference = %v by %s\nstate: %+v", d.Allowed, d.Rule, d.Reason, allowed, rule, c)
	}
	if d.Allowed && d.Match == nil {
		t.Fatalf("an allow by %s names no match; state %+v", d.Rule, c)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("admin and a deny on everything"))
	f.Add([]byte{3, 1, 2, 0, 5, 1, 1, 7, 3, 2, 9, 4, 1, 0, 1, 1, 2, 2, 3, 3, 1, 1, 0, 6, 2})
	f.Fuzz(func(t *testing.T, data []byte) { agree(t, data) })
}

// TestCheckAgreesWithReference runs many random states in every `go test`,
// beyond the fuzz target's seed corpus.
func TestCheckAgreesWithReference(t *testing.T) {
	n := 20000
	if testing.Short() {
		n = 2000
	}
	rng := rand.New(rand.NewPCG(8, 2026))
	data := make([]byte, 96)
	for range n {
		for i := range data {
			data[i] = byte(rng.UintN(256))
		}
		agree(t, data)
	}
}
