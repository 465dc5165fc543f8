package events

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestBatchRoundTrip(t *testing.T) {
	m := Meta{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor: "root", CommandID: "c1"}
	b := Batch{CommandID: "c1", Command: "role-assign", Events: []Envelope{
		New(m, RoleAssigned{Role: "deployer", User: "bob", Value: "blue"}),
		New(m, PermissionRevoked{User: "bob", Permission: "app.deploy", Context: "team:blue"}),
	}}
	data, err := EncodeBatch(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBatch(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 2 || got.CommandID != "c1" {
		t.Fatalf("decoded %+v", got)
	}
	p, err := Decode(got.Events[0])
	if err != nil {
		t.Fatal(err)
	}
	if ra, ok := p.(RoleAssigned); !ok || ra.Value != "blue" || ra.User != "bob" {
		t.Errorf("payload = %#v", p)
	}
	if got.Events[0].Type != "role.assigned" || got.Events[0].V != 1 || len(got.Events[0].ID) != 26 {
		t.Errorf("envelope = %+v", got.Events[0])
	}
}

// The stable strings are the log's format: a rename would orphan old logs.
func TestTypeStringsAreStable(t *testing.T) {
	want := []struct {
		p Payload
		s string
	}{
		{RoleAssigned{}, "role.assigned"}, {PermissionGranted{}, "permission.granted"},
		{TokenIssued{}, "token.issued"}, {CatalogRecorded{}, "catalog.recorded"}, {UserCreated{}, "user.created"},
	}
	for _, w := range want {
		if w.p.EventType() != w.s {
			t.Errorf("%T.EventType() = %q, want %q", w.p, w.p.EventType(), w.s)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]struct {
		data string
		want error
	}{
		"not json":     {`{`, ErrMalformed},
		"no events":    {`{"command_id":"x","events":[]}`, ErrMalformed},
		"unknown type": {`{"events":[{"type":"role.exploded","v":1,"data":{}}]}`, ErrUnknownType},
		"future":       {`{"events":[{"type":"role.assigned","v":9,"data":{}}]}`, ErrUnknownVersion},
		"version zero": {`{"events":[{"type":"role.assigned","v":0,"data":{}}]}`, ErrUnknownVersion},
	}
	for name, tc := range cases {
		if _, err := DecodeBatch([]byte(tc.data)); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
}

// An upcaster raises old data to the current version when reading an old log.
func TestUpcast(t *testing.T) {
	typ := TypeTeamCreated
	old := registry[typ]
	registry[typ] = typeInfo{version: 2, make: old.make}
	RegisterUpcaster(Upcaster{Type: typ, From: 1, Up: func(d json.RawMessage) (json.RawMessage, error) {
		var v1 struct{ Name string }
		if err := json.Unmarshal(d, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(TeamCreated{Team: v1.Name})
	}})
	defer func() { registry[typ] = old; delete(upcasters, typ) }()

	e := Envelope{Type: typ, V: 1, Data: json.RawMessage(`{"Name":"blue"}`)}
	p, err := Decode(e)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.(TeamCreated).Team; got != "blue" {
		t.Errorf("upcast team = %q, want blue", got)
	}
}
