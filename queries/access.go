package queries

import (
	"context"
	"errors"
	"fmt"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/readmodel"
)

// Sentinel errors of the queries that read on an actor's behalf (the list
// queries, perms-view, history).
var (
	// ErrForbidden: the actor may not read what it asked.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: a named role or user does not exist.
	ErrNotFound = errors.New("not found")
)

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrForbidden, fmt.Sprintf(format, args...))
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotFound, fmt.Sprintf(format, args...))
}

// read waits for minSeq, then runs fn on a view of the current state.
func (s *Service) read(ctx context.Context, minSeq uint64, fn func(*readmodel.View) error) error {
	if err := s.waitFor(ctx, minSeq); err != nil {
		return err
	}
	return s.store.View(fn)
}

// actorIn resolves the actor's token within a view: a missing, unknown or
// revoked token, or one of a pending or deleted user, is unauthenticated.
func actorIn(v *readmodel.View, token string) (*readmodel.User, error) {
	u, err := v.Authenticate(token)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if u == nil {
		return nil, errUnauthenticated
	}
	return u, nil
}

// mayReadUser is nil when the actor passes check perm in user:target: the
// user itself (the self permission, R9), an admin (R1), or anyone holding
// perm there through a role or a grant. Otherwise ErrForbidden.
func mayReadUser(v *readmodel.View, actor *readmodel.User, perm, target string) error {
	ctx := catalog.Context{Type: catalog.SelfContextType, Value: target}
	d := policy.Check(v.Catalog(), actor.Subject(), v, perm, []catalog.Context{ctx})
	if !d.Allowed {
		return forbidden("%s may not read user %q: that needs %s in user:%s", actor.Name, target, perm, target)
	}
	return nil
}

// validUser is invalid_argument for a malformed user name.
func validUser(name string) error {
	if err := catalog.ValidateName("user", name); err != nil {
		return invalid("%v", err)
	}
	return nil
}
