// Package migrate owns legacy imports: the input formats (tsuru's legacy
// team snapshot; Deis and pypicloud importers in their own files), their
// validation, and the Plan each maps onto: the roles, teams, users and
// assignments the ledger must hold afterwards. A Plan is pure data with a
// content-derived run id and a deterministic split into steps; the commands
// package executes it (C20), so a run is a sequence of idempotent commands
// that a crash may stop between two steps and a re-run resumes.
//
// It must never import NATS, Pebble or the commands.
package migrate
