package events

import (
	"reflect"
	"strconv"
	"strings"
	"time"
)

// fastEncodeBatch writes the bytes json.Marshal writes for b; ok is false
// when b holds anything the fast path does not write (a string that needs
// escaping, data that is not compact JSON, a time json cannot write...).
func fastEncodeBatch(b Batch) ([]byte, bool) {
	n := 64 + len(b.CommandID) + len(b.Command) + len(b.Fingerprint)
	for _, e := range b.Events {
		n += 120 + len(e.ID) + len(e.Type) + len(e.Actor) + len(e.CommandID) + len(e.RunID) + len(e.Data)
	}
	out := make([]byte, 0, n)
	ok := true
	out = append(out, `{"command_id":`...)
	out, ok = appendPlain(out, b.CommandID, ok)
	out = append(out, `,"command":`...)
	out, ok = appendPlain(out, b.Command, ok)
	if b.Fingerprint != "" {
		out = append(out, `,"fingerprint":`...)
		out, ok = appendPlain(out, b.Fingerprint, ok)
	}
	out = append(out, `,"events":[`...)
	var enc envEncoder
	for i, e := range b.Events {
		if i > 0 {
			out = append(out, ',')
		}
		out, ok = enc.envelope(out, e, ok)
		if !ok {
			return nil, false
		}
	}
	return append(out, "]}"...), ok
}

// envEncoder writes envelopes, reusing the previous one's time text.
type envEncoder struct {
	lastTime time.Time
	timeText []byte
}

func (x *envEncoder) envelope(out []byte, e Envelope, ok bool) ([]byte, bool) {
	out = append(out, `{"id":`...)
	out, ok = appendPlain(out, e.ID, ok)
	out = append(out, `,"type":`...)
	out, ok = appendPlain(out, e.Type, ok)
	out = append(out, `,"v":`...)
	out = strconv.AppendInt(out, int64(e.V), 10)
	out = append(out, `,"time":`...)
	if x.timeText == nil || e.Time != x.lastTime {
		t, err := e.Time.MarshalJSON()
		if err != nil {
			return out, false
		}
		x.lastTime, x.timeText = e.Time, t
	}
	out = append(out, x.timeText...)
	for _, f := range [...]struct{ key, v string }{{`,"actor":`, e.Actor}, {`,"command_id":`, e.CommandID}, {`,"run_id":`, e.RunID}} {
		if f.v != "" {
			out = append(out, f.key...)
			out, ok = appendPlain(out, f.v, ok)
		}
	}
	out = append(out, `,"data":`...)
	if !compactJSON(e.Data) {
		return out, false
	}
	out = append(out, e.Data...)
	return append(out, '}'), ok
}

// appendPlain appends s quoted if json.Marshal writes it unchanged: printable
// ASCII other than '"', '\\' and the HTML characters it escapes.
func appendPlain(out []byte, s string, ok bool) ([]byte, bool) {
	for i := 0; i < len(s); i++ {
		if !plainByte[s[i]] {
			return out, false
		}
	}
	out = append(out, '"')
	out = append(out, s...)
	return append(out, '"'), ok
}

// compactJSON reports whether json.Marshal writes raw unchanged: one valid
// JSON value without white space, with nothing it would escape.
func compactJSON(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	// Outside strings these characters are not JSON: a value they are not
	// in is one where escapeFree strings have none.
	s := scanner{b: raw, escapeFree: true}
	_, spaced, ok := s.value(0)
	return ok && !spaced && s.i == len(raw) && raw[0] > ' '
}

// payloadEncoder writes one payload type as json.Marshal does, for types of
// string, bool, integer and string list fields.
type payloadEncoder struct {
	typ    reflect.Type
	fields []encField
}

type encField struct {
	key       string // `"name":`
	index     int
	kind      reflect.Kind
	omitEmpty bool
}

func newPayloadEncoder(t reflect.Type) *payloadEncoder {
	e := &payloadEncoder{typ: t}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		kind := f.Type.Kind()
		switch {
		case !f.IsExported() || name == "" || name == "-" || f.Anonymous || opts != "" && opts != "omitempty":
			return nil
		case kind == reflect.Int || kind == reflect.Int64 || kind == reflect.Int32:
			kind = reflect.Int
		case kind == reflect.String || kind == reflect.Bool:
		case kind == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
		default:
			return nil
		}
		e.fields = append(e.fields, encField{key: `"` + name + `":`, index: i, kind: kind, omitEmpty: opts == "omitempty"})
	}
	return e
}

// encode writes p; ok is false when a string needs escaping.
func (e *payloadEncoder) encode(p Payload) ([]byte, bool) {
	v := reflect.ValueOf(p)
	if v.Type() != e.typ {
		return nil, false
	}
	out := make([]byte, 0, 96)
	out = append(out, '{')
	ok, first := true, true
	for _, f := range e.fields {
		fv := v.Field(f.index)
		if f.omitEmpty && fv.IsZero() || f.omitEmpty && f.kind == reflect.Slice && fv.Len() == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, f.key...)
		out, ok = f.value(out, fv, ok)
	}
	return append(out, '}'), ok
}

func (f encField) value(out []byte, v reflect.Value, ok bool) ([]byte, bool) {
	switch f.kind {
	case reflect.String:
		return appendPlain(out, v.String(), ok)
	case reflect.Bool:
		return strconv.AppendBool(out, v.Bool()), ok
	case reflect.Int:
		return strconv.AppendInt(out, v.Int(), 10), ok
	}
	if v.IsNil() {
		return append(out, "null"...), ok
	}
	out = append(out, '[')
	for i := range v.Len() {
		if i > 0 {
			out = append(out, ',')
		}
		out, ok = appendPlain(out, v.Index(i).String(), ok)
	}
	return append(out, ']'), ok
}
