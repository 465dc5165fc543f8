// Package queries owns the read side: check (R0-R9 through policy, now or at
// a past sequence or time), explain, authenticate, and the queries read on
// an actor's behalf (roles, the catalog, users, a user's holdings and
// history, each authorizing the actor's token), all answered from the
// Pebble read model (history also from the log, through LogReader). Every query accepts a minimum sequence and waits,
// bounded by its context's deadline, until the projector has applied it, so
// that a client reads its own writes.
//
// It must never import NATS, the projector or the commands.
package queries
