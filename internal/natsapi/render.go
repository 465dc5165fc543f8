package natsapi

import (
	"time"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/queries"
	"github.com/permledger/permledger/readmodel"
)

// wireProv renders a provenance for the wire.
func wireProv(p policy.Provenance) api.Prov {
	out := api.Prov{Seq: p.Seq, Actor: p.Actor, CommandID: p.CommandID, RunID: p.RunID}
	if !p.Time.IsZero() {
		out.Time = p.Time.UTC().Format(time.RFC3339Nano)
	}
	return out
}

func wireRole(r *readmodel.Role) api.Role {
	out := api.Role{Name: r.Name, Context: r.Context, Description: r.Description, Unlimited: r.Unlimited,
		Permissions: make([]api.RolePermission, 0, len(r.Permissions)), Defaults: r.Events, Created: wireProv(r.Prov)}
	for _, p := range r.Permissions {
		out.Permissions = append(out.Permissions, api.RolePermission{Permission: p.Permission, Added: wireProv(p.Prov)})
	}
	return out
}

func permissionNames(r *readmodel.Role) []string {
	out := make([]string, 0, len(r.Permissions))
	for _, p := range r.Permissions {
		out = append(out, p.Permission)
	}
	return out
}

func wirePermsView(pv queries.PermsView) api.PermsViewReply {
	u := pv.User
	rep := api.PermsViewReply{User: u.Name, Status: u.Status, Admin: u.Admin, Seq: pv.Seq,
		Roles: make([]api.HeldRole, 0, len(u.Assignments)), Overrides: make([]api.Override, 0, len(u.Overrides))}
	for _, a := range u.Assignments {
		h := api.HeldRole{Role: a.Role, Value: a.Value, Permissions: []string{}, Granted: wireProv(a.Prov), Missing: true}
		if r := pv.Roles[a.Role]; r != nil {
			h.Context = r.HoldingContext(a.Value).String()
			h.Unlimited, h.Permissions, h.Missing = r.Unlimited, permissionNames(r), false
		}
		rep.Roles = append(rep.Roles, h)
	}
	for _, o := range u.Overrides {
		effect := "deny"
		if o.Allow {
			effect = "allow"
		}
		rep.Overrides = append(rep.Overrides, api.Override{Permission: o.Permission, Context: o.Context, Effect: effect, Set: wireProv(o.Prov)})
	}
	if pv.Default != nil && u.Active() {
		rep.Default = permissionNames(pv.Default)
	}
	return rep
}
