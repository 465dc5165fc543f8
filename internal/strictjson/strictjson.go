// Package strictjson decodes JSON into Go structs strictly: unknown fields,
// keys that match a field only in a different case (encoding/json accepts
// {"User": ...} for `json:"user"`, so {"user":"bob","User":"carol"} would act
// on carol), duplicate keys, and trailing data are all errors. Every JSON
// entry point of permledger (command arguments, NATS and HTTP requests,
// migration snapshots) decodes through it. It imports only the standard
// library.
package strictjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// Unmarshal decodes data into v (a pointer to a struct, or any type).
func Unmarshal(data []byte, v any) error {
	if err := checkKeys(data, reflect.TypeOf(v), ""); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// checkKeys walks data alongside type t and refuses object keys that are
// not exactly a field's JSON name, and duplicates.
func checkKeys(data []byte, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(json.RawMessage{}) {
			return nil
		}
		return checkObject(data, t, path)
	case reflect.Slice, reflect.Array:
		if t == reflect.TypeOf(json.RawMessage{}) {
			return nil
		}
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return nil // the decoder reports the type error
		}
		for i, it := range items {
			if err := checkKeys(it, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case reflect.Map:
		return checkMap(data, t, path)
	}
	return nil
}

func checkObject(data []byte, t reflect.Type, path string) error {
	keys, vals, ok := objectKeys(data)
	if !ok {
		return nil // not an object: the decoder reports the type error
	}
	fields := jsonFields(t)
	seen := map[string]bool{}
	for i, k := range keys {
		if seen[k] {
			return fmt.Errorf("duplicate field %q%s", k, where(path))
		}
		seen[k] = true
		ft, ok := fields[k]
		if !ok {
			return fmt.Errorf("unknown field %q%s", k, where(path))
		}
		if err := checkKeys(vals[i], ft, join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

func checkMap(data []byte, t reflect.Type, path string) error {
	keys, vals, ok := objectKeys(data)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	for i, k := range keys {
		if seen[k] {
			return fmt.Errorf("duplicate field %q%s", k, where(path))
		}
		seen[k] = true
		if err := checkKeys(vals[i], t.Elem(), join(path, k)); err != nil {
			return err
		}
	}
	return nil
}

// objectKeys lists an object's keys in order with their raw values (ok is
// false if data is not an object). It scans the bytes once (scan.go), and
// hands keys with escapes, and anything it does not expect, to
// tokenObjectKeys, the encoding/json reference it must agree with.
func objectKeys(data []byte) ([]string, []json.RawMessage, bool) {
	if keys, vals, ok := scanObjectKeys(data); ok {
		return keys, vals, true
	}
	return tokenObjectKeys(data)
}

// tokenObjectKeys is objectKeys by encoding/json's tokenizer.
func tokenObjectKeys(data []byte) ([]string, []json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, false
		}
		keys, vals = append(keys, tok.(string)), append(vals, v)
	}
	return keys, vals, true
}

// fieldCache holds jsonFields per struct type.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps a struct's exact JSON names to field types, following
// embedded structs as encoding/json does (cached per type; callers must
// not modify the map).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := structFields(t)
	fieldCache.Store(t, f)
	return f
}

func structFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func where(path string) string {
	if path == "" {
		return ""
	}
	return " in " + path
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
