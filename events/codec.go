package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// ErrUnknownType is returned when decoding an event type this build does not know.
var ErrUnknownType = errors.New("unknown event type")

// ErrUnknownVersion is returned for a version newer than this build knows, or
// an old version with no upcaster.
var ErrUnknownVersion = errors.New("unknown event version")

// ErrMalformed is returned for bytes that are not a valid batch or event.
var ErrMalformed = errors.New("malformed event")

// Upcaster turns the data of version From into the data of version From+1.
type Upcaster struct {
	Type string
	From int
	Up   func(json.RawMessage) (json.RawMessage, error)
}

type typeInfo struct {
	version int
	make    func() Payload
	fast    *payloadDecoder // nil: the type has a field the fast path does not read
	enc     *payloadEncoder // nil: likewise for writing
}

var registry = map[string]typeInfo{}
var upcasters = map[string]map[int]func(json.RawMessage) (json.RawMessage, error){}

func register(version int, mk func() Payload) {
	p := mk()
	t := reflect.TypeOf(p).Elem()
	registry[p.EventType()] = typeInfo{version: version, make: mk, fast: newPayloadDecoder(t), enc: newPayloadEncoder(t)}
}

// RegisterUpcaster adds an upcaster; call it from an init function next to the
// payload whose version it raises.
func RegisterUpcaster(u Upcaster) {
	if upcasters[u.Type] == nil {
		upcasters[u.Type] = map[int]func(json.RawMessage) (json.RawMessage, error){}
	}
	upcasters[u.Type][u.From] = u.Up
}

func init() {
	register(1, func() Payload { return &CatalogRecorded{} })
	register(1, func() Payload { return &UserCreated{} })
	register(1, func() Payload { return &UserApproved{} })
	register(1, func() Payload { return &UserDeleted{} })
	register(1, func() Payload { return &UserAdminSet{} })
	register(1, func() Payload { return &TeamCreated{} })
	register(1, func() Payload { return &RoleCreated{} })
	register(1, func() Payload { return &RoleRemoved{} })
	register(1, func() Payload { return &RolePermissionsAdded{} })
	register(1, func() Payload { return &RolePermissionsRemoved{} })
	register(1, func() Payload { return &RoleAssigned{} })
	register(1, func() Payload { return &RoleDissociated{} })
	register(1, func() Payload { return &RoleDefaultAdded{} })
	register(1, func() Payload { return &RoleDefaultRemoved{} })
	register(1, func() Payload { return &PermissionGranted{} })
	register(1, func() Payload { return &PermissionRevoked{} })
	register(1, func() Payload { return &PermissionReset{} })
	register(1, func() Payload { return &TokenIssued{} })
	register(1, func() Payload { return &TokensRevoked{} })
	register(1, func() Payload { return &TokensRevokedAll{} })
	register(1, func() Payload { return &RegistrationModeSet{} })
	register(1, func() Payload { return &RegistrationTokenIssued{} })
	register(1, func() Payload { return &RegistrationTokenSpent{} })
	register(1, func() Payload { return &MigrationStepApplied{} })
}

// CurrentVersion returns the version this build writes for an event type.
func CurrentVersion(typ string) int { return registry[typ].version }

// Types lists every registered event type.
func Types() []string {
	out := make([]string, 0, len(registry))
	for t := range registry {
		out = append(out, t)
	}
	return out
}

// EncodeBatch encodes a batch for the log.
func EncodeBatch(b Batch) ([]byte, error) {
	if len(b.Events) == 0 {
		return nil, fmt.Errorf("%w: empty batch", ErrMalformed)
	}
	if data, ok := fastEncodeBatch(b); ok {
		return data, nil
	}
	return json.Marshal(b)
}

// DecodeBatch decodes a batch from the log and upcasts every event's data to
// its current version.
func DecodeBatch(data []byte) (Batch, error) {
	b, ok := fastDecodeBatch(data)
	if !ok {
		b = Batch{}
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&b); err != nil {
			return Batch{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
	}
	if len(b.Events) == 0 {
		return Batch{}, fmt.Errorf("%w: batch without events", ErrMalformed)
	}
	for i := range b.Events {
		if err := Upcast(&b.Events[i]); err != nil {
			return Batch{}, err
		}
	}
	return b, nil
}

// DecodeBatchShared is DecodeBatch for a reader that decodes every payload
// (the projector), in one pass where it can: payloads[i], where not nil,
// is what Decode(b.Events[i]) returns; where nil, the caller calls Decode.
// The envelopes' Data may be slices of data, which the caller must not
// modify afterwards. Errors are DecodeBatch's.
func DecodeBatchShared(data []byte) (b Batch, payloads []Payload, err error) {
	b, payloads, ok := fastDecodeBatchShared(data, true)
	if !ok {
		b, err = DecodeBatch(data)
		return b, make([]Payload, len(b.Events)), err
	}
	if len(b.Events) == 0 {
		return Batch{}, nil, fmt.Errorf("%w: batch without events", ErrMalformed)
	}
	for i := range b.Events {
		if payloads[i] != nil {
			continue // decoded at its current version: nothing to upcast
		}
		if err := Upcast(&b.Events[i]); err != nil {
			return Batch{}, nil, err
		}
	}
	return b, payloads, nil
}

// Upcast raises an envelope's data to the current version of its type.
func Upcast(e *Envelope) error {
	info, ok := registry[e.Type]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownType, e.Type)
	}
	if e.V <= 0 || e.V > info.version {
		return fmt.Errorf("%w: %s v%d (this build knows up to v%d)", ErrUnknownVersion, e.Type, e.V, info.version)
	}
	for e.V < info.version {
		up := upcasters[e.Type][e.V]
		if up == nil {
			return fmt.Errorf("%w: no upcaster for %s v%d", ErrUnknownVersion, e.Type, e.V)
		}
		data, err := up(e.Data)
		if err != nil {
			return fmt.Errorf("%w: upcasting %s v%d: %v", ErrMalformed, e.Type, e.V, err)
		}
		e.Data, e.V = data, e.V+1
	}
	return nil
}

// Decode returns the payload of an (upcast) envelope.
func Decode(e Envelope) (Payload, error) {
	info, ok := registry[e.Type]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownType, e.Type)
	}
	if e.V != info.version {
		if err := Upcast(&e); err != nil {
			return nil, err
		}
	}
	if info.fast != nil {
		if p, ok := info.fast.decode(e.Data); ok {
			return p, nil
		}
	}
	p := info.make()
	if err := json.Unmarshal(e.Data, p); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, e.Type, err)
	}
	return deref(p), nil
}
