package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/natslog"
)

// logAdapter translates the log's errors into the commands' sentinels, once.
type logAdapter struct{ log *natslog.Log }

func (a logAdapter) Append(ctx context.Context, data []byte, msgID string, expected uint64) (uint64, error) {
	seq, err := a.log.Append(ctx, data, msgID, expected, nil)
	return seq, translate(err)
}

func (a logAdapter) LastSeq(ctx context.Context) (uint64, error) {
	seq, err := a.log.LastSeq(ctx)
	return seq, translate(err)
}

func translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, natslog.ErrConflict):
		return fmt.Errorf("%w: %v", commands.ErrConflict, err)
	case errors.Is(err, natslog.ErrDuplicate):
		return fmt.Errorf("%w: %v", commands.ErrDuplicate, err)
	case errors.Is(err, natslog.ErrTooLarge):
		return fmt.Errorf("%w: the command's events exceed the log's message size limit: %v", commands.ErrInvalidArgument, err)
	}
	return fmt.Errorf("%w: %v", commands.ErrUnavailable, err)
}
