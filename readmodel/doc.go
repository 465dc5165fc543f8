// Package readmodel owns the Pebble read model: its key layout, the
// documents stored under it, consistent views for queries and commands, and
// Apply, the one write path, which the projector calls with messages from
// the log. See DESIGN.md beside this file for the layout and the reasons.
//
// It must never import NATS: it knows the log only as (sequence, time,
// bytes). Only the projector calls Apply.
package readmodel
