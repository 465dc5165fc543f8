// Package natslog owns permledger's event log on NATS JetStream: the one
// stream the ledger appends to, its configuration, optimistic appends guarded
// by the expected last sequence and deduplicated by message id, reads by
// sequence, and ordered replay for projectors (its own consumer, replaced
// when entries the log holds stop arriving). It translates JetStream
// failures into the sentinel errors ErrConflict, ErrDuplicate, ErrTooLarge
// and ErrUnavailable, matching JetStream API error codes (never error
// text), and reports a hole in the stream as ErrMissing. Every request
// waits at most Config.ReplyWait for its answer and is sent again (an
// append with the same message id and expected sequence) until the
// caller's context ends.
//
// It knows nothing of what the bytes mean. This package must never import
// another permledger package (its tests use internal/natsserver to run a
// real server) and never logs.
package natslog
