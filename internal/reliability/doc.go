// Package reliability holds permledger's end-to-end reliability tests and
// nothing else: a crash loop that SIGKILLs a real `permledger serve` child
// process under concurrent command load and restarts it, and a three-node
// JetStream cluster that loses a server under load and gets it back. Both
// prove the same promises: every acknowledged command is in the log exactly
// once, nothing refused or answered as a no-op is, and the read model equals
// a replay of the log from scratch.
//
// The package is tests only: it imports any permledger package, and nothing
// imports it.
//
// `go test ./...` runs the short variants (5 SIGKILLs under load; 2 server
// losses). The long variants (30 SIGKILLs, 5 server losses, more load) run
// with PERMLEDGER_LONG=1, or with -long when testing this package alone.
// docs/reliability.md explains the guarantees and the --sync trade-off
// these tests measure.
package reliability
