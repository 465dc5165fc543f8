// Package queries owns the read side: check (R0-R9 through policy, now or at
// a past sequence or time), explain, and authenticate, all answered from the
// Pebble read model. Every query accepts a minimum sequence and waits,
// bounded by its context's deadline, until the projector has applied it, so
// that a client reads its own writes.
//
// It must never import NATS, the projector or the commands.
package queries
