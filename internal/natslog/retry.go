package natslog

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go"
)

// DefaultReplyWait is how long one request to the log (a publish waiting for
// its acknowledgement, a stream info) waits for its answer before it is sent
// again, when Config.ReplyWait is zero.
const DefaultReplyWait = time.Second

// retryPause is the wait before sending again after an attempt that failed
// at once (no responders), not after one that waited ReplyWait.
const retryPause = 100 * time.Millisecond

// untilAnswered calls try with a context bounded by the log's ReplyWait,
// again after every attempt that got no answer (see unanswered), until one
// is answered, fails for good, or ctx ends. A ctx without a deadline is given
// the JetStream client's default timeout for the whole call, as a single
// request would have. It returns the number of attempts and the last error.
//
// Without it, a request whose answer was lost (the stream's leader died with
// it) waits until ctx ends, which is the whole command deadline while
// commands queue behind the handler's lock.
func (l *Log) untilAnswered(ctx context.Context, try func(context.Context) error) (int, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.js.Options().DefaultTimeout)
		defer cancel()
	}
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, l.replyWait)
		err := try(actx)
		cancel()
		if err == nil || ctx.Err() != nil || !unanswered(err) {
			return attempt, err
		}
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, nats.ErrTimeout) {
			pause(ctx, retryPause)
		}
	}
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
