package queries

import "context"

// Wait waits until the read model has applied seq (0: at once); at ctx's
// deadline it returns an error wrapping ErrUnavailable. A batch of queries
// waits once.
func (s *Service) Wait(ctx context.Context, seq uint64) error { return s.waitFor(ctx, seq) }
