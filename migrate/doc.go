// Package migrate owns legacy imports: the input formats (tsuru's legacy
// team snapshot in tsuru.go; a Deis v1 export in deis.go; pypicloud's
// configuration file in pypicloud.go, read by ini.go), their validation,
// and the Plan each maps onto: the roles, teams, users, assignments and
// admin flags the ledger must hold afterwards. A Plan is pure data with a
// content-derived run id, its own validation, and a deterministic split
// into steps that touch disjoint users, teams and roles; the commands
// package executes it (C20, Handler.RunPlan), so a run is a sequence of
// idempotent commands that a crash may stop between two steps and a re-run
// resumes. docs/migration.md documents the formats and the mappings.
//
// It must never import NATS, Pebble or the commands.
package migrate
