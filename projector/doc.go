// Package projector is the only writer of the read model: it consumes the
// log in order from the sequence after the last one applied and hands the
// messages to readmodel.Apply in batches, each batch committing its last
// sequence atomically with its changes. After a restart it resumes exactly
// where it stopped: nothing applied twice, nothing skipped. While it catches
// up it decodes the next messages on the reading goroutine while the
// previous batch is written (readmodel.Decode, Msg.Decoded).
//
// It is a deterministic state machine (hashicorp/raft's FSM contract): the
// same log gives the same read model. It must never import the commands or
// the queries.
package projector
