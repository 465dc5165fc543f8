// Package policy owns the check: rules R0-R9 of SEMANTICS.md section 2,
// evaluated over a subject (a user's flags, role assignments and overrides)
// and the roles as they are at the moment of the check (R8: roles are
// resolved when the check runs, so a role edit changes every holder at once).
//
// It is pure: no I/O, no clocks. Queries, commands (anti-escalation and
// required permissions) and point-in-time checks all call Check with state
// they loaded; that is why every answer, now or at a past sequence, comes
// from the same code. It must never import NATS, Pebble or any permledger
// package but catalog.
package policy
