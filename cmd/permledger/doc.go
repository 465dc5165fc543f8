// Command permledger runs and operates a permission ledger: `serve` (the
// ledger with its NATS and HTTP APIs and the local admin socket), the
// local operator commands (`root-user-create`, `replay`, `verify`, through
// the admin socket or on the data dir itself), every command of
// SEMANTICS.md section 3 and every query as a NATS client subcommand
// (tsuru-style tables, or --json), `login`/`logout` (the login file), and
// `conformance` (the shared scenario runner).
//
// main only wires the process (signals, args, environment, standard
// streams, exit code) into run, which does the work and is what the tests
// call. This package owns flag parsing, output formats and exit codes; it
// must never hold domain logic (commands, policy, projection): it calls
// internal/ledger, client and the adapters.
package main
