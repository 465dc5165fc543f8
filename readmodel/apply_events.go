package readmodel

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// event applies one event. Projection is total: an event that refers to
// something absent (which the commands never append) changes nothing.
func (t *tx) event(p events.Payload) error {
	switch e := p.(type) {
	case events.CatalogRecorded:
		return t.catalogRecorded(e)
	case events.UserCreated:
		return t.userCreated(e)
	case events.UserApproved:
		return t.userUpdate(e.User, func(u *User) { u.Status = events.StatusActive })
	case events.UserAdminSet:
		return t.userUpdate(e.User, func(u *User) { u.Admin = e.Admin })
	case events.UserDeleted:
		return t.userDeleted(e)
	case events.TeamCreated:
		return t.setJSON(key(pTeam, e.Team), Team{Name: e.Team, Prov: t.prov})
	case events.RoleCreated, events.RoleRemoved, events.RolePermissionsAdded, events.RolePermissionsRemoved,
		events.RoleDefaultAdded, events.RoleDefaultRemoved:
		t.roleEvent(e)
		return nil
	case events.RoleAssigned:
		return t.roleAssigned(e)
	case events.RoleDissociated:
		return t.roleDissociated(e)
	case events.PermissionGranted:
		return t.setOverride(e.User, e.Permission, e.Context, true, false)
	case events.PermissionRevoked:
		return t.setOverride(e.User, e.Permission, e.Context, false, false)
	case events.PermissionReset:
		return t.setOverride(e.User, e.Permission, e.Context, false, true)
	case events.TokenIssued, events.TokensRevoked, events.TokensRevokedAll:
		return t.tokenEvent(e)
	case events.RegistrationModeSet:
		t.settings = Settings{Mode: e.Mode, Approval: e.Approval}
		return t.setJSON(keySettings, t.settings)
	case events.RegistrationTokenIssued, events.RegistrationTokenSpent:
		return t.regTokenEvent(e)
	case events.MigrationStepApplied:
		return nil // recorded by the command record of its batch
	}
	return nil
}

func (t *tx) catalogRecorded(e events.CatalogRecorded) error {
	c, err := catalog.Parse(e.Catalog)
	if err != nil {
		return err // a catalog this build cannot read: stop rather than guess
	}
	t.catalog = c
	if err := t.b.Set(keyCatalog, e.Catalog, nil); err != nil {
		return err
	}
	return t.b.Set(seqKey(pCatHist, "", t.seq), e.Catalog, nil)
}

func (t *tx) userCreated(e events.UserCreated) error {
	if u, err := t.user(e.User); err != nil || u != nil {
		return err
	}
	u := &User{Name: e.User, CreatedSeq: t.seq, PasswordHash: e.PasswordHash, Status: e.Status, Admin: e.Admin, Prov: t.prov,
		Assignments: make([]policy.Assignment, 0, 8), Overrides: make([]policy.Override, 0, 4)} // holdings follow the creation in an import
	t.touch(e.User, u)
	if !u.Admin {
		return nil // an absent user has no ad/ key to clear: no tombstone per new user
	}
	return t.syncAdminIndex(u)
}

func (t *tx) userUpdate(name string, change func(*User)) error {
	u, err := t.user(name)
	if err != nil || u == nil {
		return err
	}
	change(u)
	t.touch(name, u)
	return t.syncAdminIndex(u)
}

// syncAdminIndex keeps ad/<user> exactly for active admins.
func (t *tx) syncAdminIndex(u *User) error {
	if u.Admin && u.Active() {
		return t.b.Set(key(pAdmin, u.Name), nil, nil)
	}
	return t.b.Delete(key(pAdmin, u.Name), nil)
}

func (t *tx) userDeleted(e events.UserDeleted) error {
	u, err := t.user(e.User)
	if err != nil || u == nil {
		return err
	}
	for _, a := range u.Assignments {
		if err := t.b.Delete(key(pRoleHolder, a.Role, u.Name, a.Value), nil); err != nil {
			return err
		}
	}
	if err := t.b.Delete(key(pAdmin, u.Name), nil); err != nil {
		return err
	}
	if err := t.revokeTokens(u.Name); err != nil {
		return err
	}
	t.touch(e.User, nil)
	return nil
}

func (t *tx) roleEvent(p events.Payload) {
	switch e := p.(type) {
	case events.RoleCreated:
		if t.roles[e.Role] == nil {
			t.setRole(e.Role, &Role{Role: policy.Role{Name: e.Role, Context: e.Context, Unlimited: e.Unlimited},
				Description: e.Description, Prov: t.prov})
		}
	case events.RoleRemoved:
		if t.roles[e.Role] != nil {
			t.setRole(e.Role, nil)
		}
	case events.RolePermissionsAdded:
		if r := t.role(e.Role); r != nil {
			for _, p := range e.Permissions {
				if !r.Has(p) {
					r.Permissions = append(r.Permissions, policy.RolePermission{Permission: p, Prov: t.prov})
				}
			}
		}
	case events.RolePermissionsRemoved:
		if r := t.role(e.Role); r != nil {
			r.Permissions = removePermissions(r.Permissions, e.Permissions)
		}
	case events.RoleDefaultAdded:
		if r := t.role(e.Role); r != nil && !r.HasEvent(e.Event) {
			r.Events = append(r.Events, e.Event)
		}
	case events.RoleDefaultRemoved:
		if r := t.role(e.Role); r != nil {
			r.Events = removeString(r.Events, e.Event)
		}
	}
}

func removePermissions(have []policy.RolePermission, drop []string) []policy.RolePermission {
	out := have[:0]
	for _, rp := range have {
		keep := true
		for _, d := range drop {
			if rp.Permission == d {
				keep = false
			}
		}
		if keep {
			out = append(out, rp)
		}
	}
	return out
}

func removeString(have []string, drop string) []string {
	out := have[:0]
	for _, s := range have {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

func (t *tx) roleAssigned(e events.RoleAssigned) error {
	u, err := t.user(e.User)
	if err != nil || u == nil || u.HasAssignment(e.Role, e.Value) {
		return err
	}
	u.Assignments = append(u.Assignments, policy.Assignment{Role: e.Role, Value: e.Value, Prov: t.prov})
	t.touch(e.User, u)
	return t.b.Set(t.key(pRoleHolder, e.Role, e.User, e.Value), nil, nil)
}

func (t *tx) roleDissociated(e events.RoleDissociated) error {
	u, err := t.user(e.User)
	if err != nil || u == nil || !u.HasAssignment(e.Role, e.Value) {
		return err
	}
	out := u.Assignments[:0]
	for _, a := range u.Assignments {
		if a.Role != e.Role || a.Value != e.Value {
			out = append(out, a)
		}
	}
	u.Assignments = out
	t.touch(e.User, u)
	return t.b.Delete(key(pRoleHolder, e.Role, e.User, e.Value), nil)
}

// setOverride sets an allow or deny override at (perm, ctx), or removes it.
func (t *tx) setOverride(user, perm, ctx string, allow, remove bool) error {
	u, err := t.user(user)
	if err != nil || u == nil {
		return err
	}
	out := u.Overrides[:0]
	for _, o := range u.Overrides {
		if o.Permission != perm || o.Context != ctx {
			out = append(out, o)
		}
	}
	if !remove {
		out = append(out, policy.Override{Permission: perm, Context: ctx, Allow: allow, Prov: t.prov})
	}
	u.Overrides = out
	t.touch(user, u)
	return nil
}
