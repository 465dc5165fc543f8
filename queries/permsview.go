package queries

import (
	"context"

	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/readmodel"
)

// PermsView is what a user holds: its document (flags, assignments,
// overrides), the roles its assignments name, and the default role every
// active user holds implicitly (nil when there is none). Roles are shared
// and read-only; an assignment whose role was removed has no entry.
type PermsView struct {
	User    *readmodel.User
	Roles   map[string]*readmodel.Role
	Default *readmodel.Role
	Seq     uint64
}

// PermsView shows a user's holdings to an actor that passes check
// user.read in user:USER (the user itself, an admin, or a holder of
// user.read there). An unknown user is ErrNotFound.
func (s *Service) PermsView(ctx context.Context, token, user string, minSeq uint64) (pv PermsView, err error) {
	err = s.read(ctx, minSeq, func(v *readmodel.View) error {
		actor, err := actorIn(v, token)
		if err != nil {
			return err
		}
		if err := validUser(user); err != nil {
			return err
		}
		if err := mayReadUser(v, actor, "user.read", user); err != nil {
			return err
		}
		pv, err = permsView(v, user)
		return err
	})
	return pv, err
}

func permsView(v *readmodel.View, user string) (PermsView, error) {
	u, err := v.User(user)
	if err != nil {
		return PermsView{}, err
	}
	if u == nil {
		return PermsView{}, notFound("user %q not found", user)
	}
	pv := PermsView{User: u, Roles: map[string]*readmodel.Role{}, Default: v.RoleDoc(policy.DefaultRole), Seq: v.Seq()}
	for _, a := range u.Assignments {
		if r := v.RoleDoc(a.Role); r != nil {
			pv.Roles[a.Role] = r
		}
	}
	return pv, nil
}
