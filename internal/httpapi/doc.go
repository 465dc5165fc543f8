// Package httpapi serves permledger's HTTP API: POST /v1/check and
// POST /v1/authenticate (the same JSON as the NATS API, package api), the
// probes GET /healthz and GET /readyz, and GET /metrics for the registry the
// program passes in. It owns HTTP concerns only: routing, strict decoding
// with a body limit, the per-request deadline, the mapping of error codes to
// statuses (through errmap) and readiness.
//
// Checks go through natsapi.Check so both interfaces answer alike. It must
// never import NATS, JetStream or Pebble directly, nor submit commands: the
// HTTP API is read-only; commands travel over NATS.
package httpapi
