// Package client is a small Go client for services that call permledger over
// NATS: checks, batch checks, authentication and command submission, with
// min_seq handling so a caller reads its own writes. It speaks only the wire
// contract in package api.
package client
