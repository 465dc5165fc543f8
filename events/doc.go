// Package events owns the ledger's event vocabulary: the envelope every event
// travels in, the explicit and stable type strings, each type's payload and
// schema version, the batch that one command appends as one JetStream message,
// and the JSON codec with its upcasting hook. DecodeBatchShared is
// DecodeBatch and Decode of every payload in one pass, for the projector,
// which reads every event of the log.
//
// Type strings and versions never change meaning: a new shape of an event is a
// new version with an upcaster from the old one, and retired numbers stay
// retired. This package must never import NATS, Pebble or another permledger
// package except catalog.
package events
