package events

import (
	"crypto/rand"
	"encoding/json"
	"time"

	"github.com/oklog/ulid/v2"
)

// Envelope is one event as it stands in the log.
type Envelope struct {
	ID        string          `json:"id"`   // ULID
	Type      string          `json:"type"` // e.g. role.assigned; never a Go type name
	V         int             `json:"v"`    // schema version of Data
	Time      time.Time       `json:"time"`
	Actor     string          `json:"actor,omitempty"` // user name, or "" for local operator / anonymous
	CommandID string          `json:"command_id,omitempty"`
	RunID     string          `json:"run_id,omitempty"` // migration run that appended it
	Data      json.RawMessage `json:"data"`
}

// Batch is what one command appends: one JetStream message, all or nothing.
type Batch struct {
	CommandID   string     `json:"command_id"`
	Command     string     `json:"command"`
	Fingerprint string     `json:"fingerprint,omitempty"` // hash of the command's arguments, secrets excluded
	Events      []Envelope `json:"events"`
}

// Meta is what a command stamps on every event it appends.
type Meta struct {
	Time      time.Time
	Actor     string
	CommandID string
	RunID     string
}

// NewID returns a new ULID string for an event.
func NewID(t time.Time) string {
	return ulid.MustNew(ulid.Timestamp(t), rand.Reader).String()
}

// New wraps a payload in an envelope at the payload's current version.
func New(m Meta, p Payload) Envelope {
	data, err := encodePayload(p)
	if err != nil {
		panic("events: payload does not encode: " + err.Error())
	}
	return Envelope{
		ID: NewID(m.Time), Type: p.EventType(), V: CurrentVersion(p.EventType()),
		Time: m.Time.UTC(), Actor: m.Actor, CommandID: m.CommandID, RunID: m.RunID, Data: data,
	}
}

// encodePayload is json.Marshal(p), without reflection-driven encoding for
// the payload types of plain fields.
func encodePayload(p Payload) ([]byte, error) {
	if enc := registry[p.EventType()].enc; enc != nil {
		if data, ok := enc.encode(p); ok {
			return data, nil
		}
	}
	return json.Marshal(p)
}
