// Package natsapi serves permledger's NATS request/reply API
// (docs/nats-api.md): commands on permledger.cmd.NAME and the queries on
// permledger.q.* (check, explain, check-batch, authenticate, last-seq,
// role-list, role-info, permission-list, user-list, perms-view, history),
// in the queue group "permledger" so that several instances share the
// load. It decodes requests strictly, calls commands and queries, answers
// with api types, and logs each command with its id (never a token or a
// password). Its exported query functions are shared with the HTTP API.
// Drain answers the requests in flight before it returns.
//
// It must never touch Pebble or JetStream directly.
package natsapi
