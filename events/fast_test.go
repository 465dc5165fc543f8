package events

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// slowDecodeBatch is DecodeBatch's encoding/json path alone.
func slowDecodeBatch(data []byte) (Batch, error) {
	var b Batch
	err := json.NewDecoder(bytes.NewReader(data)).Decode(&b)
	return b, err
}

func fastSeeds() [][]byte {
	b, _ := EncodeBatch(benchBatch(2))
	g, _ := EncodeBatch(grantBatch())
	seeds := [][]byte{b, g,
		[]byte(`{"command_id":"c","events":[{"id":"x","type":"team.created","v":1,"time":"2026-01-01T00:00:00Z","data":{"team":"t"}}]}`),
		[]byte(` { "command_id" : "c" , "events" : [ { "type" : "team.created" , "v" : 1 , "data" : { "team" : "t" } } ] } trailing`),
		[]byte(`{"Command_ID":"c","events":[]}`),
		[]byte(`{"command_id":"c","command_id":"d","events":[]}`),
		[]byte(`{"events":[{"type":"role.assigned","v":1,"data":{"role":"r\u00e9","user":"u"}}]}`),
		[]byte(`{"events":[{"type":"role.assigned","v":1,"data":null}]}`),
		[]byte(`{"events":[{"type":"role.assigned","v":1e0,"data":{}}]}`),
		[]byte(`{"events":[{"type":"role.assigned","v":01,"data":{}}]}`),
		[]byte(`{"events":[{"type":"role.assigned","v":1,"time":"2026-01-01T00:00:00+02:00","data":[1,-2.5e+3,true,false,null,"\"",{}]}]}`),
		[]byte("{\"events\":[{\"type\":\"\xff\",\"v\":1,\"data\":{}}]}"),
		[]byte(`{"events":[{"type":"x","v":1,"time":"not a time","data":{}}]}`),
		[]byte(`{"events":[{"type":"team.created","v":1,"time":"2026-01-01T00:00:00Z","actor":"ab","run_id":"r","data":{"team":"t"}},` +
			`{"type":"team.created","v":1,"time":"2026-01-01T00:00:00Z","actor":"abc","run_id":"r\u0041","data":{"team":"t"}},` +
			`{"type":"team.created","v":1,"time":"2026-01-01T00:00:00.5Z","actor":"abc","data":{"team":"t"}}]}`),
	}
	return seeds
}

// Whatever the fast path accepts, it decodes exactly as encoding/json does.
func FuzzFastDecodeBatchMatchesJSON(f *testing.F) {
	for _, s := range fastSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := fastDecodeBatch(data)
		if !ok {
			return
		}
		slow, err := slowDecodeBatch(data)
		if err != nil {
			t.Fatalf("fast path accepted what encoding/json refuses (%v): %q", err, data)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast and encoding/json differ on %q:\nfast %#v\nslow %#v", data, fast, slow)
		}
	})
}

func payloadSeeds() []string {
	return []string{`{"role":"r","user":"u","value":"v"}`, `{}`, ` { "role" : "r" } `, `{"role":"r","role":"s"}`,
		`{"Role":"r"}`, `{"role":null}`, `{"role":"r\n"}`, `{"role":"é"}`, "{\"role\":\"\xff\"}", `{"role":"r"} x`,
		`{"permissions":["a","b"]}`, `{"permissions":[]}`, `{"admin":true,"user":"u"}`, `{"admin":"true"}`,
		`{"step":3,"steps":10,"run_id":"r"}`, `{"step":-1}`, `{"step":1.5}`, `{"expires_at":1700000000}`,
		`{"approval":false,"mode":"enabled"}`, `{"step":00}`}
}

// Whatever the fast path accepts for a payload type, it decodes exactly as
// json.Unmarshal does.
func FuzzFastDecodePayloadMatchesJSON(f *testing.F) {
	types := Types()
	for i, s := range payloadSeeds() {
		f.Add(i, []byte(s))
	}
	f.Fuzz(func(t *testing.T, ti int, data []byte) {
		if ti < 0 {
			ti = -ti
		}
		info := registry[types[ti%len(types)]]
		if info.fast == nil {
			return
		}
		fast, ok := info.fast.decode(data)
		if !ok {
			return
		}
		p := info.make()
		if err := json.Unmarshal(data, p); err != nil {
			t.Fatalf("fast path accepted what json.Unmarshal refuses (%v): %s %q", err, info.fast.typ, data)
		}
		if slow := deref(p); !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: fast and json.Unmarshal differ on %q:\nfast %#v\nslow %#v", info.fast.typ, data, fast, slow)
		}
	})
}

// The canonical form takes the fast path (else the fast path is dead code).
func TestFastPathTakesTheCanonicalForm(t *testing.T) {
	for _, b := range []Batch{benchBatch(3), grantBatch()} {
		data, err := EncodeBatch(b)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := fastDecodeBatch(data)
		if !ok {
			t.Fatalf("the fast path refused %s", data)
		}
		for _, e := range got.Events {
			if _, ok := registry[e.Type].fast.decode(e.Data); !ok {
				t.Errorf("the fast path refused the payload %s %s", e.Type, e.Data)
			}
		}
	}
	if registry[TypeCatalogRecorded].fast != nil {
		t.Error("catalog.recorded has a []byte field the fast path cannot read")
	}
}

func TestFastDecodeReusesRepeatedMeta(t *testing.T) {
	data, _ := EncodeBatch(benchBatch(1))
	got, _ := fastDecodeBatch(data)
	a, b := got.Events[0], got.Events[1]
	if !a.Time.Equal(b.Time) || a.Actor != b.Actor || !strings.HasPrefix(a.RunID, "bench") {
		t.Fatalf("events %+v %+v", a, b)
	}
	if a.Time.Location() != time.UTC {
		t.Errorf("location %v", a.Time.Location())
	}
}

// The fast encoder writes exactly json.Marshal's bytes, or declines.
func FuzzFastEncodeMatchesJSON(f *testing.F) {
	f.Add("bob", "team-member", "blue", []byte(`{"a":1}`), int64(0), true)
	f.Add("<b>", "r\"", "é", []byte(` {"a": 1}`), int64(-5), false)
	f.Add("", "", "", []byte(`[1,2]`), int64(1700000000), false)
	f.Add("a\u2028b", "x", "y", []byte(`"\u2028"`), int64(3), true)
	f.Add("x", "y", "z", []byte("{\"a\":\"b\u2029c&d\",\"e\":[\"\u00e9\"]}"), int64(4), true)
	f.Fuzz(func(t *testing.T, s1, s2, s3 string, data []byte, n int64, flag bool) {
		payloads := []Payload{
			RoleAssigned{Role: s1, User: s2, Value: s3},
			UserCreated{User: s1, PasswordHash: s2, Status: s3, Admin: flag},
			PermissionGranted{User: s1, Permission: s2, Context: s3},
			RolePermissionsAdded{Role: s1, Permissions: []string{s2, s3}},
			RolePermissionsAdded{Role: s1, Permissions: []string{}},
			RolePermissionsAdded{Role: s1},
			RegistrationTokenIssued{TokenHash: s1, User: s2, ExpiresAt: n},
			MigrationStepApplied{RunID: s1, Step: int(n % 1000), Steps: int(n)},
			TokensRevokedAll{},
		}
		for _, p := range payloads {
			want, werr := json.Marshal(p)
			got, gerr := encodePayload(p)
			if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
				t.Fatalf("%T %+v: encodePayload %q (%v), json.Marshal %q (%v)", p, p, got, gerr, want, werr)
			}
		}
		at := time.Unix(n%(1<<34), n%1e9).UTC()
		b := Batch{CommandID: s1, Command: s2, Fingerprint: s3, Events: []Envelope{
			{ID: s1, Type: s2, V: int(n % 7), Time: at, Actor: s3, Data: data},
			{ID: s2, Type: s2, V: 1, Time: at, CommandID: s1, RunID: s3, Data: json.RawMessage(`{"x":"y"}`)},
		}}
		want, werr := json.Marshal(b)
		got, ok := fastEncodeBatch(b)
		if ok && (werr != nil || !bytes.Equal(got, want)) {
			t.Fatalf("batch: fast %q, json.Marshal %q (%v)", got, want, werr)
		}
	})
}

func TestFastEncodeTakesTheCanonicalForm(t *testing.T) {
	for _, b := range []Batch{benchBatch(2), grantBatch()} {
		if _, ok := fastEncodeBatch(b); !ok {
			t.Errorf("the fast encoder refused %+v", b.Events[0])
		}
		want, _ := json.Marshal(b)
		if got, _ := EncodeBatch(b); !bytes.Equal(got, want) {
			t.Errorf("EncodeBatch differs from json.Marshal:\n%s\n%s", got, want)
		}
	}
}

// DecodeBatchShared decodes exactly as DecodeBatch then Decode do: the same
// batch or the same error, and every payload it decoded on the way equal to
// Decode's, through upcasting and the encoding/json fallbacks alike.
func FuzzDecodeBatchShared(f *testing.F) {
	withFuzzType(f)
	seedBatches(f)
	for _, s := range fastSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := DecodeBatch(data)
		got, payloads, err := DecodeBatchShared(bytes.Clone(data))
		if (err == nil) != (werr == nil) || err != nil && err.Error() != werr.Error() {
			t.Fatalf("DecodeBatchShared error %v, DecodeBatch %v, on %q", err, werr, data)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeBatchShared and DecodeBatch differ on %q:\n%#v\n%#v", data, got, want)
		}
		if len(payloads) != len(got.Events) {
			t.Fatalf("%d payloads for %d events", len(payloads), len(got.Events))
		}
		for i, p := range payloads {
			if p == nil {
				continue
			}
			if q, err := Decode(want.Events[i]); err != nil || !reflect.DeepEqual(p, q) {
				t.Fatalf("payload %d of %q: %#v, Decode gives %#v (%v)", i, data, p, q, err)
			}
		}
	})
}

// The canonical form is decoded in one pass, payloads included.
func TestDecodeBatchSharedDecodesTheCanonicalForm(t *testing.T) {
	for _, b := range []Batch{benchBatch(2), grantBatch()} {
		data, _ := EncodeBatch(b)
		got, payloads, err := DecodeBatchShared(data)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range payloads {
			if p == nil {
				t.Fatalf("payload %d (%s) not decoded on the way", i, got.Events[i].Type)
			}
			if got.Events[i].ID != b.Events[i].ID || !bytes.Equal(got.Events[i].Data, b.Events[i].Data) {
				t.Fatalf("event %d: %+v, encoded %+v", i, got.Events[i], b.Events[i])
			}
		}
	}
}

// The types decoded without reflection map every field where json.Unmarshal
// does (a reordered struct would otherwise swap values silently).
func TestPlainPayloadsMatchJSON(t *testing.T) {
	for typ := range plainPayloads {
		d := registry[reflect.New(typ).Interface().(Payload).EventType()].fast
		if d == nil || d.plain == nil {
			t.Fatalf("%s is not decoded without reflection", typ)
		}
		obj := map[string]any{}
		for i, f := range d.fields {
			if f.kind == reflect.Bool {
				obj[f.name] = true
			} else {
				obj[f.name] = fmt.Sprint("value-", i)
			}
		}
		data, _ := json.Marshal(obj)
		got, ok := d.decode(data)
		want := reflect.New(typ)
		if err := json.Unmarshal(data, want.Interface()); err != nil || !ok || !reflect.DeepEqual(got, want.Elem().Interface()) {
			t.Errorf("%s: %#v, json.Unmarshal %#v (%v)", typ, got, want.Elem().Interface(), err)
		}
	}
}
