// Package ledger assembles one permledger instance: the NATS connection
// (to an embedded JetStream server by default, or an external one), the log,
// the Pebble read model, the projector, the command handler, the query
// service and the NATS API. `permledger serve`, the local operator commands
// and the conformance runner's targets all open a Ledger the same way.
package ledger
