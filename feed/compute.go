package feed

import (
	"sort"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/readmodel"
)

// holding is one (permission, context) a user holds, with its source.
type holding struct {
	perm, ctx, via string
	deny           bool
}

// holdings lists what a user holds explicitly: role permissions in their
// contexts, overrides, and * for an admin. The default role and the self
// permission are implicit for every active user and are not listed.
func holdings(u *readmodel.User, role func(string) *readmodel.Role) map[holding]bool {
	out := map[holding]bool{}
	if u == nil || !u.Active() {
		return out
	}
	if u.Admin {
		out[holding{perm: catalog.Root, ctx: catalog.Global, via: "admin"}] = true
	}
	for _, a := range u.Assignments {
		r := role(a.Role)
		if r == nil {
			continue
		}
		ctx := r.HoldingContext(a.Value).String()
		for _, p := range r.Permissions {
			out[holding{perm: p.Permission, ctx: ctx, via: "role " + r.Name}] = true
		}
	}
	for _, o := range u.Overrides {
		out[holding{perm: o.Permission, ctx: o.Context, via: "override", deny: !o.Allow}] = true
	}
	return out
}

// userChanges diffs a user's holdings before and after a message.
func userChanges(user string, before, after map[holding]bool) []Record {
	var out []Record
	for h := range after {
		if !before[h] {
			out = append(out, Record{Kind: KindUser, User: user, Change: change(h, true), Permission: h.perm, Context: h.ctx, Via: h.via})
		}
	}
	for h := range before {
		if !after[h] {
			out = append(out, Record{Kind: KindUser, User: user, Change: change(h, false), Permission: h.perm, Context: h.ctx, Via: h.via})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Change+a.Permission+a.Context+a.Via < b.Change+b.Permission+b.Context+b.Via
	})
	return out
}

func change(h holding, gained bool) string {
	switch {
	case h.deny && gained:
		return Denied
	case h.deny:
		return Undeny
	case gained:
		return Gained
	}
	return Lost
}

// roleRecord summarises a role edit; consumers expand it to the holders.
func roleRecord(p events.Payload, role func(string) *readmodel.Role) (Record, bool) {
	switch e := p.(type) {
	case events.RolePermissionsAdded:
		return Record{Kind: KindRole, Role: e.Role, RoleType: roleType(role(e.Role)), Added: e.Permissions}, true
	case events.RolePermissionsRemoved:
		return Record{Kind: KindRole, Role: e.Role, RoleType: roleType(role(e.Role)), Removed: e.Permissions}, true
	}
	return Record{}, false
}

func roleType(r *readmodel.Role) string {
	if r == nil {
		return ""
	}
	return r.Context
}
