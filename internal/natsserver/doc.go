// Package natsserver owns running nats-server in-process: turning a small
// Config into server options, starting a single JetStream-enabled server (or
// a loopback JetStream cluster for tests) and waiting until it is ready to
// serve. Everything else about NATS (streams, consumers, the event log) lives
// with its callers.
//
// The server's own logging and signal handling are off. This package must
// never import another permledger package, and never log: it returns errors.
package natsserver
