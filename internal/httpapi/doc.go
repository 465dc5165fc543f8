// Package httpapi serves permledger's HTTP API (docs/openapi.json): the
// checks POST /v1/check, /v1/check/batch, /v1/explain and
// /v1/authenticate (the same JSON as the NATS API, package api), the
// queries GET /v1/roles, /v1/roles/{name}, /v1/permissions, /v1/users,
// /v1/users/{name}/permissions and /v1/users/{name}/history (the actor's
// token as "Authorization: Bearer TOKEN"), the probes GET /healthz and
// GET /readyz, and GET /metrics for the registry the program passes in.
// It owns HTTP concerns only: routing (one table, held to the OpenAPI
// document by a test), strict decoding with a body limit, the per-request
// deadline, request ids and request logs, the mapping of error codes to
// statuses (through errmap) and readiness.
//
// Queries go through the natsapi functions so both interfaces answer
// alike. It must never import NATS, JetStream or Pebble directly, nor
// submit commands: the HTTP API is read-only; commands travel over NATS.
package httpapi
