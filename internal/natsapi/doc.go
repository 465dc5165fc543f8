// Package natsapi serves permledger's NATS request/reply API (docs/nats-api.md):
// commands on permledger.cmd.NAME and queries on permledger.q.*, in the
// queue group "permledger" so that several instances share the load. It
// decodes requests strictly, calls commands and queries, and answers with
// api types; it must never touch Pebble or JetStream directly.
package natsapi
