package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Fuzz targets for the log's codec: whatever bytes the log holds, decoding
// never panics, fails only with the package's sentinels, and what decodes
// encodes back to a fixed point.

// fuzzType exists only in this test binary, at version 3, with upcasters
// 1->2 (renames "n" to "name") and 2->3 (adds "tags"), so that the fuzzer
// walks a real upcasting chain.
const fuzzType = "fuzz.thing"

type fuzzThing struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

func (fuzzThing) EventType() string { return fuzzType }

func withFuzzType(tb testing.TB) {
	register(3, func() Payload { return &fuzzThing{} })
	RegisterUpcaster(Upcaster{Type: fuzzType, From: 1, Up: func(d json.RawMessage) (json.RawMessage, error) {
		var v1 struct {
			N string `json:"n"`
		}
		if err := json.Unmarshal(d, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"name": v1.N})
	}})
	RegisterUpcaster(Upcaster{Type: fuzzType, From: 2, Up: func(d json.RawMessage) (json.RawMessage, error) {
		var v2 struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(d, &v2); err != nil {
			return nil, err
		}
		return json.Marshal(fuzzThing{Name: v2.Name, Tags: []string{}})
	}})
	tb.Cleanup(func() {
		delete(registry, fuzzType)
		delete(upcasters, fuzzType)
	})
}

// isSentinel reports whether err wraps one of the codec's errors.
func isSentinel(err error) bool {
	return errors.Is(err, ErrMalformed) || errors.Is(err, ErrUnknownType) || errors.Is(err, ErrUnknownVersion)
}

func seedBatches(f *testing.F) {
	m := Meta{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: "root", CommandID: "c1", RunID: "r1"}
	for _, ps := range [][]Payload{
		{RoleAssigned{Role: "deployer", User: "bob", Value: "blue"}},
		{UserCreated{User: "bob", PasswordHash: "$2a$04$x", Status: StatusActive}, TokenIssued{User: "bob", TokenHash: "ab"}},
		{RolePermissionsAdded{Role: "r", Permissions: []string{"app.read", "app.deploy"}}, TokensRevokedAll{}},
		{CatalogRecorded{Catalog: []byte(`{"name":"x"}`)}, RegistrationTokenIssued{TokenHash: "h", ExpiresAt: 42}},
	} {
		b := Batch{CommandID: "c1", Command: "x", Fingerprint: "f"}
		for _, p := range ps {
			b.Events = append(b.Events, New(m, p))
		}
		data, err := EncodeBatch(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"events":[{"type":"fuzz.thing","v":1,"time":"2026-01-01T00:00:00Z","data":{"n":"old"}}]}`))
	f.Add([]byte(`{"events":[{"type":"fuzz.thing","v":2,"data":{"name":7}}]}`))
	f.Add([]byte(`{"events":[{"type":"role.assigned","v":0,"data":{}}]}`))
	f.Add([]byte(`{"events":[]}`))
	f.Add([]byte(`not json`))
}

func FuzzDecodeBatch(f *testing.F) {
	withFuzzType(f)
	seedBatches(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBatch(data)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("DecodeBatch: %v wraps no codec sentinel", err)
			}
			return
		}
		checkDecoded(t, b)
		enc, err := EncodeBatch(b)
		if err != nil {
			t.Fatalf("re-encoding a decoded batch: %v", err)
		}
		b2, err := DecodeBatch(enc)
		if err != nil {
			t.Fatalf("decoding a re-encoded batch: %v\n%s", err, enc)
		}
		if enc2, _ := EncodeBatch(b2); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not a fixed point:\n%s\n%s", enc, enc2)
		}
		for _, e := range b.Events {
			checkPayloadRoundTrip(t, e)
		}
	})
}

func checkDecoded(t *testing.T, b Batch) {
	if len(b.Events) == 0 {
		t.Fatal("a decoded batch without events")
	}
	for _, e := range b.Events {
		if e.V != CurrentVersion(e.Type) {
			t.Fatalf("decoded %s at v%d, current is v%d", e.Type, e.V, CurrentVersion(e.Type))
		}
	}
}

// checkPayloadRoundTrip: a payload that decodes encodes to data that decodes
// to the same payload.
func checkPayloadRoundTrip(t *testing.T, e Envelope) {
	p, err := Decode(e)
	if err != nil {
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("Decode(%s): %v, want ErrMalformed", e.Type, err)
		}
		return
	}
	if p.EventType() != e.Type {
		t.Fatalf("Decode(%s) gave a %s", e.Type, p.EventType())
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("marshal %T: %v", p, err)
	}
	again, err := Decode(Envelope{Type: e.Type, V: e.V, Data: data})
	if err != nil || !reflect.DeepEqual(again, p) {
		t.Fatalf("payload round trip of %s: %#v -> %#v (%v)", e.Type, p, again, err)
	}
}

func FuzzUpcast(f *testing.F) {
	withFuzzType(f)
	f.Add(fuzzType, 1, []byte(`{"n":"old"}`))
	f.Add(fuzzType, 2, []byte(`{"name":"mid"}`))
	f.Add(fuzzType, 3, []byte(`{"name":"new","tags":["a"]}`))
	f.Add(fuzzType, 1, []byte(`[`))
	f.Add(TypeRoleAssigned, 1, []byte(`{"role":"r","user":"u"}`))
	f.Add(TypeRoleAssigned, 2, []byte(`{}`))
	f.Add("role.exploded", 1, []byte(`{}`))
	f.Add(TypeTeamCreated, -1, []byte(`null`))
	f.Fuzz(func(t *testing.T, typ string, v int, data []byte) {
		e := Envelope{Type: typ, V: v, Data: json.RawMessage(data)}
		err := Upcast(&e)
		info, known := registry[typ]
		switch {
		case !known:
			if !errors.Is(err, ErrUnknownType) {
				t.Fatalf("Upcast of unknown type %q: %v, want ErrUnknownType", typ, err)
			}
		case v <= 0 || v > info.version:
			if !errors.Is(err, ErrUnknownVersion) {
				t.Fatalf("Upcast of %s v%d: %v, want ErrUnknownVersion", typ, v, err)
			}
		case err != nil:
			if !errors.Is(err, ErrMalformed) || v == info.version {
				t.Fatalf("Upcast of %s v%d: %v", typ, v, err)
			}
		case e.V != info.version:
			t.Fatalf("Upcast of %s v%d stopped at v%d, current v%d", typ, v, e.V, info.version)
		case v < info.version:
			checkPayloadRoundTrip(t, e) // an upcast result decodes, or is ErrMalformed
		}
	})
}
