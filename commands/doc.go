// Package commands owns the write side: one file per command of
// SEMANTICS.md section 3, each with a pure Decide(state, input) that returns
// the events to append or an error, and the Handler that authenticates the
// actor, decides on a consistent snapshot, appends the events as one log
// message with the expected last sequence, retries a conflict a bounded
// number of times, and answers a repeated command id with its first outcome.
// A command is answered once its events are in the log; the store's floor
// (readmodel.Store.RaiseFloor) makes the next command and the queries of the
// same process wait until the read model has applied them.
//
// Commands read state only through the State interface declared here and
// append only through the Log interface declared here. This package must
// never import NATS, the projector or the queries.
package commands
