package queries

import (
	"context"
	"fmt"

	"github.com/permledger/permledger/readmodel"
)

// MaxContexts bounds the contexts one check may carry.
const MaxContexts = 1024

// Service answers queries from the read model.
type Service struct {
	store *readmodel.Store
}

// New builds a Service.
func New(store *readmodel.Store) *Service { return &Service{store: store} }

// Applied is the sequence the read model has applied.
func (s *Service) Applied() uint64 { return s.store.Applied() }

// waitFor waits until the read model has applied minSeq, and what this
// process appended (readmodel.Store.Floor: a command is answered before the
// read model applies it, and a client reads its own writes here without
// min_seq). Without commands in flight both are already applied.
func (s *Service) waitFor(ctx context.Context, minSeq uint64) error {
	if err := s.store.WaitApplied(ctx, max(minSeq, s.store.Floor())); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Authenticate resolves a token to its active user.
func (s *Service) Authenticate(ctx context.Context, token string, minSeq uint64) (*readmodel.User, uint64, error) {
	if err := s.waitFor(ctx, minSeq); err != nil {
		return nil, 0, err
	}
	var u *readmodel.User
	var seq uint64
	err := s.store.View(func(v *readmodel.View) error {
		var err error
		u, err = v.Authenticate(token)
		seq = v.Seq()
		return err
	})
	if err != nil {
		return nil, seq, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if u == nil {
		return nil, seq, errUnauthenticated
	}
	return u, seq, nil
}
