package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// fastDecodeBatch decodes the canonical form of a batch; ok is false when
// the input needs encoding/json (see fastjson.go). It copies data once: the
// envelopes' Data are slices of that copy.
func fastDecodeBatch(data []byte) (Batch, bool) {
	b, _, ok := fastDecodeBatchShared(bytes.Clone(data), false)
	return b, ok
}

// fastDecodeBatchShared is fastDecodeBatch on data itself (the envelopes'
// Data are slices of it). With payloads, it also decodes the payload of
// every event whose type has a fast decoder and whose version is current,
// in the same pass: payloads[i] is then what Decode(b.Events[i]) returns,
// and nil where Decode must be called.
func fastDecodeBatchShared(data []byte, payloads bool) (Batch, []Payload, bool) {
	s := scanner{b: data, intern: payloads}
	var b Batch
	var seen uint8
	if !s.consume('{') || s.consume('}') {
		return Batch{}, nil, false
	}
	d := envDecoder{payloads: payloads}
	for {
		k, ok := s.plainString()
		if !ok || !s.consume(':') {
			return Batch{}, nil, false
		}
		bit := batchKey(k)
		if bit == 0 || seen&bit != 0 {
			return Batch{}, nil, false
		}
		seen |= bit
		switch bit {
		case 1:
			ok = s.str(&b.CommandID)
		case 2:
			ok = s.str(&b.Command)
		case 4:
			ok = s.str(&b.Fingerprint)
		case 8:
			b.Events, ok = d.envelopes(&s)
		}
		if !ok {
			return Batch{}, nil, false
		}
		if s.consume('}') {
			d.setIDs(b.Events)
			return b, d.decoded, true
		}
		if !s.consume(',') {
			return Batch{}, nil, false
		}
	}
}

func batchKey(k []byte) uint8 {
	switch string(k) {
	case "command_id":
		return 1
	case "command":
		return 2
	case "fingerprint":
		return 4
	case "events":
		return 8
	}
	return 0
}

// str reads a plain string into *dst.
func (s *scanner) str(dst *string) bool {
	v, ok := s.plainString()
	if ok {
		*dst = string(v)
	}
	return ok
}

// envDecoder decodes the envelopes of one batch, reusing the strings and
// the time that repeat from one envelope to the next (a command stamps the
// same meta on all its events).
type envDecoder struct {
	last     Envelope
	timeText []byte // the last time read, as written, and its value
	timeVal  time.Time

	// The ids of all envelopes, copied into one buffer that becomes one
	// string (a batch of 1,100 events made 1,100 allocations of 26 bytes):
	// idSpans[i] is envelope i's, start and end, in ids.
	ids     []byte
	idSpans [][2]int32

	payloads bool      // decode payloads on the way (fastDecodeBatchShared)
	decoded  []Payload // per envelope, nil where it was not decoded
}

// setIDs gives the envelopes their ids, once all are read.
func (d *envDecoder) setIDs(evs []Envelope) {
	all := string(d.ids)
	for i, sp := range d.idSpans {
		if sp[0] >= 0 {
			evs[i].ID = all[sp[0]:sp[1]]
		}
	}
}

func envKey(k []byte) uint8 {
	switch string(k) {
	case "id":
		return 1
	case "type":
		return 2
	case "v":
		return 4
	case "time":
		return 8
	case "actor":
		return 16
	case "command_id":
		return 32
	case "run_id":
		return 64
	case "data":
		return 128
	}
	return 0
}

func (d *envDecoder) envelopes(s *scanner) ([]Envelope, bool) {
	if !s.consume('[') {
		return nil, false
	}
	// A canonical envelope takes more than 160 bytes: room for most
	// batches without growing (a bulk message holds a thousand events).
	n := min((len(s.b)-s.i)/160, 1<<14)
	out := make([]Envelope, 0, n)
	d.idSpans = make([][2]int32, 0, n)
	d.ids = make([]byte, 0, 26*n)
	if d.payloads {
		d.decoded = make([]Payload, 0, n)
	}
	if s.consume(']') {
		return out, true
	}
	for {
		e, ok := d.envelope(s)
		if !ok {
			return nil, false
		}
		out = append(out, e)
		if s.consume(']') {
			return out, true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

func (d *envDecoder) envelope(s *scanner) (Envelope, bool) {
	var e Envelope
	var seen uint8
	if !s.consume('{') || s.consume('}') {
		return e, false
	}
	d.idSpans = append(d.idSpans, [2]int32{-1, -1})
	if d.payloads {
		d.decoded = append(d.decoded, nil)
	}
	for {
		k, ok := s.plainString()
		if !ok || !s.consume(':') {
			return e, false
		}
		bit := envKey(k)
		if bit == 0 || seen&bit != 0 {
			return e, false
		}
		seen |= bit
		if !d.field(s, &e, bit, seen) {
			return e, false
		}
		if s.consume('}') {
			d.last = e
			return e, true
		}
		if !s.consume(',') {
			return e, false
		}
	}
}

func (d *envDecoder) field(s *scanner, e *Envelope, bit, seen uint8) bool {
	switch bit {
	case 1:
		v, ok := s.plainString()
		if ok && len(d.ids)+len(v) < 1<<31 {
			d.idSpans[len(d.idSpans)-1] = [2]int32{int32(len(d.ids)), int32(len(d.ids) + len(v))}
			d.ids = append(d.ids, v...)
		} else if ok {
			e.ID = string(v)
		}
		return ok
	case 2:
		return s.reuse(&e.Type, d.last.Type)
	case 4:
		var ok bool
		e.V, ok = s.smallInt()
		return ok
	case 8:
		return d.time(s, &e.Time)
	case 16:
		return s.reuse(&e.Actor, d.last.Actor)
	case 32:
		return s.reuse(&e.CommandID, d.last.CommandID)
	case 64:
		return s.reuse(&e.RunID, d.last.RunID)
	}
	if d.payloads && seen&6 == 6 && d.payload(s, e) {
		return true
	}
	raw, _, ok := s.value(0)
	if !ok || string(raw) == "null" {
		return false
	}
	e.Data = json.RawMessage(raw[:len(raw):len(raw)])
	return true
}

// payload decodes the data of an envelope whose type and version are known
// (they come first in the canonical form) when its type has a fast decoder
// and its version is current: what Decode would do with the same bytes.
// It reports false, having read nothing, otherwise.
func (d *envDecoder) payload(s *scanner, e *Envelope) bool {
	info, ok := registry[e.Type]
	if !ok || info.fast == nil || e.V != info.version {
		return false
	}
	s.skipSpace()
	start := s.i
	p, ok := info.fast.decodeFrom(s)
	if !ok {
		s.i = start
		return false
	}
	e.Data = json.RawMessage(s.b[start:s.i:s.i])
	d.decoded[len(d.decoded)-1] = p
	return true
}

// text is string(b), shared with an equal string the scanner made shortly
// before if it interns (a batch names the same user, role and permissions
// in many events): a small direct-mapped cache, cheaper than a map, which
// cost more than it saved on the strings that do not repeat.
func (s *scanner) text(b []byte) string {
	if !s.intern || len(b) == 0 {
		return string(b)
	}
	slot := &s.recent[(len(b)*31+int(b[0])+int(b[len(b)/2])*7+int(b[len(b)-1]))%len(s.recent)]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

// reuse reads a plain string into *dst, reusing prev if it is equal.
func (s *scanner) reuse(dst *string, prev string) bool {
	if s.quoted(prev) {
		*dst = prev
		return true
	}
	v, ok := s.plainString()
	if !ok {
		return false
	}
	if string(v) == prev {
		*dst = prev
	} else {
		*dst = string(v)
	}
	return true
}

// time reads a time as time.Time's UnmarshalJSON does (encoding/json calls
// it), reusing the previous envelope's if the text is the same.
func (d *envDecoder) time(s *scanner, dst *time.Time) bool {
	s.skipSpace()
	if d.timeText != nil && bytes.HasPrefix(s.b[s.i:], d.timeText) {
		s.i += len(d.timeText) // the previous time, quotes included
		*dst = d.timeVal
		return true
	}
	start := s.i
	if _, ok := s.plainString(); !ok {
		return false
	}
	quoted := s.b[start:s.i]
	if d.timeText != nil && bytes.Equal(quoted, d.timeText) {
		*dst = d.timeVal
		return true
	}
	if err := dst.UnmarshalJSON(quoted); err != nil {
		return false
	}
	d.timeText, d.timeVal = quoted, *dst
	return true
}

// payloadDecoder decodes one payload type's canonical form: an object of
// the type's own keys, each once, with string, bool, integer or string
// list values. A type with another kind of field has none.
type payloadDecoder struct {
	typ    reflect.Type
	fields []payloadField // few: a linear search beats hashing

	// plain, for the types a bulk import is made of, builds the payload
	// from its string fields (in the order of fields) and its bool field
	// without reflection; fields then lists those first, the bool last.
	plain func(str [4]string, flag bool) Payload
}

// plainPayloads are the types decoded without reflection: every field a
// string but at most one bool, the last.
var plainPayloads = map[reflect.Type]func(str [4]string, flag bool) Payload{
	reflect.TypeFor[UserCreated](): func(v [4]string, admin bool) Payload {
		return UserCreated{User: v[0], PasswordHash: v[1], Status: v[2], Admin: admin}
	},
	reflect.TypeFor[RoleAssigned](): func(v [4]string, _ bool) Payload {
		return RoleAssigned{Role: v[0], User: v[1], Value: v[2]}
	},
	reflect.TypeFor[PermissionGranted](): func(v [4]string, _ bool) Payload {
		return PermissionGranted{User: v[0], Permission: v[1], Context: v[2]}
	},
	reflect.TypeFor[PermissionRevoked](): func(v [4]string, _ bool) Payload {
		return PermissionRevoked{User: v[0], Permission: v[1], Context: v[2]}
	},
}

// plainFrom is decodeFrom for a type with plain set: what the reflecting
// path decodes, field for field.
func (d *payloadDecoder) plainFrom(s *scanner) (Payload, bool) {
	var str [4]string
	var flag bool
	if !s.consume('{') {
		return nil, false
	}
	if s.consume('}') {
		return d.plain(str, flag), true
	}
	var seen uint64
	for {
		k, ok := s.plainString()
		if !ok || !s.consume(':') {
			return nil, false
		}
		i := d.index(k)
		if i < 0 || seen&(1<<i) != 0 {
			return nil, false
		}
		seen |= 1 << i
		if d.fields[i].kind == reflect.Bool {
			flag, ok = s.boolean()
		} else {
			var v []byte
			v, ok = s.plainString()
			str[i] = s.text(v)
		}
		if !ok {
			return nil, false
		}
		if s.consume('}') {
			return d.plain(str, flag), true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

func (d *payloadDecoder) index(k []byte) int {
	for i, f := range d.fields {
		if f.name == string(k) {
			return i
		}
	}
	return -1
}

type payloadField struct {
	name  string
	index int
	kind  reflect.Kind // String, Bool, Int (any signed integer), Slice (of strings)
	bit   uint64
}

func newPayloadDecoder(t reflect.Type) *payloadDecoder {
	d := &payloadDecoder{typ: t}
	if t.NumField() > 64 {
		return nil
	}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		kind := f.Type.Kind()
		switch {
		case !f.IsExported() || name == "" || name == "-" || f.Anonymous:
			return nil
		case kind == reflect.Int || kind == reflect.Int64 || kind == reflect.Int32:
			kind = reflect.Int
		case kind == reflect.String || kind == reflect.Bool:
		case kind == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
		default:
			return nil
		}
		d.fields = append(d.fields, payloadField{name: name, index: i, kind: kind, bit: 1 << i})
	}
	if mk := plainPayloads[t]; mk != nil && plainLayout(d.fields) {
		d.plain = mk
	}
	return d
}

// plainLayout reports whether fields fit plainFrom: at most four strings,
// then at most one bool.
func plainLayout(fields []payloadField) bool {
	strs := 0
	for i, f := range fields {
		switch {
		case f.kind == reflect.String && strs == i && strs < 4:
			strs++
		case f.kind == reflect.Bool && i == len(fields)-1:
		default:
			return false
		}
	}
	return true
}

// decode returns the payload (a value, as Decode returns it); ok is false
// when the input needs encoding/json.
func (d *payloadDecoder) decode(data []byte) (Payload, bool) {
	s := scanner{b: data}
	p, ok := d.decodeFrom(&s)
	s.skipSpace()
	if !ok || s.i != len(s.b) {
		return nil, false
	}
	return p, true
}

// decodeFrom reads one payload object at s.i and leaves s.i after it.
func (d *payloadDecoder) decodeFrom(s *scanner) (Payload, bool) {
	if d.plain != nil {
		return d.plainFrom(s)
	}
	v := reflect.New(d.typ).Elem()
	if !s.consume('{') {
		return nil, false
	}
	if !s.consume('}') && !d.fieldsOf(s, v) {
		return nil, false
	}
	p, ok := v.Interface().(Payload)
	return p, ok
}

func (d *payloadDecoder) fieldsOf(s *scanner, v reflect.Value) bool {
	var seen uint64
	for {
		k, ok := s.plainString()
		if !ok || !s.consume(':') {
			return false
		}
		f, ok := d.field(k)
		if !ok || seen&f.bit != 0 || !f.set(s, v.Field(f.index)) {
			return false
		}
		seen |= f.bit
		if s.consume('}') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

func (d *payloadDecoder) field(k []byte) (payloadField, bool) {
	for _, f := range d.fields {
		if f.name == string(k) {
			return f, true
		}
	}
	return payloadField{}, false
}

func (f payloadField) set(s *scanner, v reflect.Value) bool {
	switch f.kind {
	case reflect.String:
		str, ok := s.plainString()
		v.SetString(s.text(str))
		return ok
	case reflect.Bool:
		b, ok := s.boolean()
		v.SetBool(b)
		return ok
	case reflect.Int:
		n, ok := s.smallInt()
		v.SetInt(int64(n))
		return ok
	}
	list, ok := s.stringList()
	v.Set(reflect.ValueOf(list))
	return ok
}

// stringList reads an array of plain strings.
func (s *scanner) stringList() ([]string, bool) {
	if !s.consume('[') {
		return nil, false
	}
	out := []string{}
	if s.consume(']') {
		return out, true
	}
	for {
		v, ok := s.plainString()
		if !ok {
			return nil, false
		}
		out = append(out, s.text(v))
		if s.consume(']') {
			return out, true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}
