package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// object is one JSON object of a scenario file, split into its keys. Its
// getters record the first error and return zero values after it, so a
// caller reads every field and checks err once.
type object struct {
	m   map[string]json.RawMessage
	err error
}

// decodeObject reads data as exactly one JSON object whose keys are all in
// allowed (matched exactly: encoding/json alone would match "Do" to "do"),
// none of them null.
func decodeObject(data []byte, allowed ...string) (*object, error) {
	if k := kindOf(data); k != "an object" {
		return nil, fmt.Errorf("want an object, got %s", k)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var m map[string]json.RawMessage
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the object")
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("unknown key %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
		if string(bytes.TrimSpace(m[k])) == "null" {
			return nil, fmt.Errorf("key %q is null", k)
		}
	}
	return &object{m: m}, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (o *object) has(key string) bool { _, ok := o.m[key]; return ok }

// present returns the keys among keys that the object has.
func (o *object) present(keys ...string) []string {
	var out []string
	for _, k := range keys {
		if o.has(k) {
			out = append(out, k)
		}
	}
	return out
}

// get decodes key into v (left alone if the key is absent), describing a
// type mismatch as "key: want WANT, got KIND".
func (o *object) get(key string, v any, want string) {
	raw, ok := o.m[key]
	if !ok || o.err != nil {
		return
	}
	if err := json.Unmarshal(raw, v); err != nil {
		o.err = fmt.Errorf("%q: want %s, got %s", key, want, kindOf(raw))
	}
}

func (o *object) str(key string) string {
	var s string
	o.get(key, &s, "a string")
	return s
}

func (o *object) strs(key string) []string {
	var s []string
	o.get(key, &s, "a list of strings")
	return s
}

func (o *object) raw(key string) json.RawMessage { return o.m[key] }

// fail records err unless an error is already recorded.
func (o *object) fail(format string, args ...any) {
	if o.err == nil {
		o.err = fmt.Errorf(format, args...)
	}
}

// kindOf names the JSON kind of raw for messages: "a string", "an object"...
func kindOf(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '"':
		return "a string " + string(raw)
	case c == '{':
		return "an object"
	case c == '[':
		return "a list " + abbreviate(string(raw))
	case c == 't' || c == 'f':
		return "a boolean " + string(raw)
	case c == 'n':
		return "null"
	}
	return "a number " + string(raw)
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
