package policy

import (
	"github.com/permledger/permledger/catalog"
)

// Rules as explain reports them.
const (
	RuleAdmin     = "R1"
	RuleUnlimited = "R2"
	RuleDeny      = "R3"
	RuleAllow     = "R4"
	RuleDefault   = "R5"
)

// Match kinds.
const (
	KindAdmin         = "admin"
	KindRole          = "role"
	KindDefaultRole   = "default-role"
	KindOverrideAllow = "override-allow"
	KindOverrideDeny  = "override-deny"
	KindSelf          = "self"
)

// Decision is the answer of a check with the rule that decided it.
type Decision struct {
	Allowed bool
	Rule    string
	Reason  string
	Match   *Match
}

// Match is the holding or override that decided a check.
type Match struct {
	Kind       string
	Permission string
	Context    catalog.Context
	Role       string
	Value      string
	Prov       Provenance
}

// Check evaluates R0-R9 for subject s, permission perm (which must be known
// to cat) and the target's contexts. Contexts whose type perm does not allow
// are ignored; global is always implied.
func Check(cat *catalog.Catalog, s *Subject, roles Roles, perm string, contexts []catalog.Context) Decision {
	if s == nil || !s.Exists {
		return Decision{Rule: RuleDefault, Reason: "the user does not exist (R0)"}
	}
	if !s.Active {
		return Decision{Rule: RuleDefault, Reason: "the user is pending approval (R0)"}
	}
	if s.Admin {
		return Decision{Allowed: true, Rule: RuleAdmin, Reason: "the user is an admin (R1)",
			Match: &Match{Kind: KindAdmin}}
	}
	e := evaluation{cat: cat, perm: perm, ctxs: relevant(cat, perm, contexts)}
	if m := e.roleHoldings(s, roles); m != nil && e.unlimited {
		return Decision{Allowed: true, Rule: RuleUnlimited, Reason: "an unlimited role matches (R2)", Match: m}
	} else if m != nil {
		e.allow = m
	}
	if m := e.overrides(s, false); m != nil {
		return Decision{Rule: RuleDeny, Reason: "an explicit deny matches (R3)", Match: m}
	}
	if e.allow == nil {
		e.allow = e.overrides(s, true)
	}
	if e.allow == nil {
		e.allow = e.defaultRole(roles)
	}
	if e.allow == nil {
		e.allow = e.self(s)
	}
	if e.allow != nil {
		return Decision{Allowed: true, Rule: RuleAllow, Reason: "a holding matches (R4)", Match: e.allow}
	}
	return Decision{Rule: RuleDefault, Reason: "nothing matches (R5)"}
}

type evaluation struct {
	cat       *catalog.Catalog
	perm      string
	ctxs      []catalog.Context // relevant contexts, global first
	unlimited bool
	allow     *Match
}

// relevant keeps global and the contexts whose type perm allows.
func relevant(cat *catalog.Catalog, perm string, contexts []catalog.Context) []catalog.Context {
	out := make([]catalog.Context, 1, len(contexts)+1)
	out[0] = catalog.GlobalContext
	for _, c := range contexts {
		if !c.IsGlobal() && cat.Allows(perm, c.Type) {
			out = append(out, c)
		}
	}
	return out
}

func (e *evaluation) matchesContext(c catalog.Context) bool {
	for _, x := range e.ctxs {
		if x == c {
			return true
		}
	}
	return false
}

// roleHoldings returns the first matching role holding, preferring one from
// an unlimited role (then e.unlimited is set).
func (e *evaluation) roleHoldings(s *Subject, roles Roles) *Match {
	var first *Match
	for _, a := range s.Assignments {
		r, ok := roles.Role(a.Role)
		if !ok || r.Name == DefaultRole {
			continue
		}
		ctx := r.HoldingContext(a.Value)
		if !e.matchesContext(ctx) {
			continue
		}
		rp, ok := e.covering(r)
		if !ok {
			continue
		}
		m := &Match{Kind: KindRole, Permission: rp.Permission, Context: ctx, Role: r.Name, Value: a.Value, Prov: a.Prov}
		if r.Unlimited {
			e.unlimited = true
			return m
		}
		if first == nil {
			first = m
		}
	}
	return first
}

// covering finds a permission of r that is perm, an ancestor of it, or *.
func (e *evaluation) covering(r *Role) (RolePermission, bool) {
	for _, rp := range r.Permissions {
		if catalog.Covers(rp.Permission, e.perm) {
			return rp, true
		}
	}
	return RolePermission{}, false
}

func (e *evaluation) overrides(s *Subject, allow bool) *Match {
	for _, o := range s.Overrides {
		if o.Allow != allow || !catalog.Covers(o.Permission, e.perm) {
			continue
		}
		ctx, err := catalog.ParseContext(o.Context)
		if err != nil || !e.matchesContext(ctx) {
			continue
		}
		kind := KindOverrideDeny
		if allow {
			kind = KindOverrideAllow
		}
		return &Match{Kind: kind, Permission: o.Permission, Context: ctx, Prov: o.Prov}
	}
	return nil
}

func (e *evaluation) defaultRole(roles Roles) *Match {
	r, ok := roles.Role(DefaultRole)
	if !ok {
		return nil
	}
	rp, ok := e.covering(r)
	if !ok {
		return nil
	}
	return &Match{Kind: KindDefaultRole, Permission: rp.Permission, Context: catalog.GlobalContext,
		Role: DefaultRole, Prov: rp.Prov}
}

func (e *evaluation) self(s *Subject) *Match {
	ctx := catalog.Context{Type: catalog.SelfContextType, Value: s.Name}
	if !e.matchesContext(ctx) {
		return nil
	}
	for _, p := range e.cat.SelfPermissions() {
		if catalog.Covers(p, e.perm) {
			return &Match{Kind: KindSelf, Permission: p, Context: ctx}
		}
	}
	return nil
}
