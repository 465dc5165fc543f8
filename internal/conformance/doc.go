// Package conformance runs the scenarios of shared/conformance (their format is
// FORMAT.md there) against a Target: one fresh, empty ledger per scenario. It
// owns the scenario format (Parse, Load), the runner's bookkeeping (which token
// acts for which user, saved tokens, marks, read-your-writes sequences) and the
// report (`PASS name`, `FAIL name: step N: ...`, `N passed, M failed`).
//
// It knows nothing of how a ledger is started or reached: the caller supplies a
// NewTarget. It must never import NATS, Pebble or the ledger's internals; its
// only permledger import is api.
package conformance
