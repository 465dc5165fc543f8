package queries

import (
	"context"
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/readmodel"
)

// Roles lists every role, sorted by name, for any authenticated actor. The
// roles returned are shared and read-only.
func (s *Service) Roles(ctx context.Context, token string, minSeq uint64) (roles []*readmodel.Role, seq uint64, err error) {
	err = s.read(ctx, minSeq, func(v *readmodel.View) error {
		if _, err := actorIn(v, token); err != nil {
			return err
		}
		roles, seq = v.Roles(), v.Seq()
		return nil
	})
	return roles, seq, err
}

// Role returns one role (shared, read-only) for any authenticated actor;
// an unknown role is ErrNotFound.
func (s *Service) Role(ctx context.Context, token, name string, minSeq uint64) (role *readmodel.Role, seq uint64, err error) {
	err = s.read(ctx, minSeq, func(v *readmodel.View) error {
		if _, err := actorIn(v, token); err != nil {
			return err
		}
		if strings.TrimSpace(name) == "" {
			return invalid("a role name is required")
		}
		if role, seq = v.RoleDoc(name), v.Seq(); role == nil {
			return notFound("role %q not found", name)
		}
		return nil
	})
	return role, seq, err
}

// Catalog returns the catalog in force (the permission tree) for any
// authenticated actor.
func (s *Service) Catalog(ctx context.Context, token string, minSeq uint64) (cat *catalog.Catalog, seq uint64, err error) {
	err = s.read(ctx, minSeq, func(v *readmodel.View) error {
		if _, err := actorIn(v, token); err != nil {
			return err
		}
		cat, seq = v.Catalog(), v.Seq()
		return nil
	})
	return cat, seq, err
}
