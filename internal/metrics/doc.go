// Package metrics owns permledger's Prometheus collectors: check latency,
// command outcomes and conflicts, the projector's applied sequence, lag and
// skipped messages, the read model's block cache hits and misses, plus the
// Go and process collectors. New registers them on a registry the program
// makes in run and passes down (no global registry); Hooks hands the
// ledger the functions it calls; WatchLedger adds the collectors read from
// an open ledger at scrape time.
//
// It must never import NATS or Pebble directly, nor serve HTTP: exposing
// the registry is internal/httpapi's job.
package metrics
