package events

import (
	"crypto/rand"
	"encoding/json"
	"sync"
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
	return ulid.MustNew(ulid.Timestamp(t), entropy).String()
}

// entropy is crypto/rand read 4 KiB at a time: a ULID takes 10 bytes, and
// one read of the system's generator per event was most of New's cost in a
// bulk import (issue 7). The bytes are as random as rand.Reader's.
var entropy = &randBuffer{}

type randBuffer struct {
	mu  sync.Mutex
	buf [4096]byte
	n   int // bytes of buf not yet handed out, at its end
}

func (r *randBuffer) Read(p []byte) (int, error) {
	if len(p) > len(r.buf) {
		return rand.Read(p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n < len(p) {
		if _, err := rand.Read(r.buf[:]); err != nil {
			return 0, err
		}
		r.n = len(r.buf)
	}
	copy(p, r.buf[len(r.buf)-r.n:])
	clear(r.buf[len(r.buf)-r.n : len(r.buf)-r.n+len(p)])
	r.n -= len(p)
	return len(p), nil
}

// New wraps a payload in an envelope at the payload's current version.
func New(m Meta, p Payload) Envelope {
	typ := p.EventType()
	info := registry[typ]
	data, err := info.encodePayload(p)
	if err != nil {
		panic("events: payload does not encode: " + err.Error())
	}
	return Envelope{
		ID: NewID(m.Time), Type: typ, V: info.version,
		Time: m.Time.UTC(), Actor: m.Actor, CommandID: m.CommandID, RunID: m.RunID, Data: data,
	}
}

// NewBatch is the batch of command m.CommandID that appends ps, each
// wrapped by New.
func NewBatch(m Meta, command string, ps []Payload) Batch {
	b := Batch{CommandID: m.CommandID, Command: command, Events: make([]Envelope, 0, len(ps))}
	for _, p := range ps {
		b.Events = append(b.Events, New(m, p))
	}
	return b
}

// encodePayload is json.Marshal(p), without reflection-driven encoding for
// the payload types of plain fields.
func encodePayload(p Payload) ([]byte, error) {
	return registry[p.EventType()].encodePayload(p)
}

func (info typeInfo) encodePayload(p Payload) ([]byte, error) {
	if enc := info.enc; enc != nil {
		if data, ok := enc.encode(p); ok {
			return data, nil
		}
	}
	return json.Marshal(p)
}
