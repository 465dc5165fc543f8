// Package api is permledger's wire contract: NATS subjects, the JSON of every
// request and reply, and the error codes of SEMANTICS.md section 3. The
// server side (internal/natsapi, internal/httpapi) and the client package
// both speak it. It must never import NATS, Pebble or another permledger
// package: it is plain data.
package api
