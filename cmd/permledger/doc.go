// Command permledger runs and operates a permission ledger: `serve` (the
// ledger with its NATS and HTTP APIs and the local admin socket),
// `root-user-create` (the local operator path), `check` and `authenticate`
// (NATS clients) and `conformance` (the shared scenario runner).
//
// main only wires the process (signals, args, environment, standard
// streams, exit code) into run, which does the work and is what the tests
// call. This package owns flag parsing, output formats and exit codes; it
// must never hold domain logic (commands, policy, projection): it calls
// internal/ledger, client and the adapters.
package main
