package readmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/permledger/permledger/policy"
)

func sampleUser() *User {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	p1 := policy.Provenance{Seq: 7, Time: t0, Actor: "root", CommandID: "c1", RunID: "run"}
	p2 := policy.Provenance{Seq: 9, Time: t0.Add(time.Second), Actor: "alice", CommandID: "c2"}
	return &User{Name: "bob@corp.com", CreatedSeq: 7, PasswordHash: "$2a$04$abc", Status: "active", Admin: true,
		Assignments: []policy.Assignment{{Role: "team-member", Value: "blue", Prov: p1}, {Role: "team-creator", Prov: p1}},
		Overrides: []policy.Override{{Permission: "app.deploy", Context: "app:x", Allow: false, Prov: p2},
			{Permission: "job", Context: "global", Allow: true, Prov: p1}},
		Prov: p1}
}

func TestUserCodecRoundTrip(t *testing.T) {
	for name, u := range map[string]*User{
		"full":    sampleUser(),
		"empty":   {},
		"pending": {Name: "p", Status: "pending", Prov: policy.Provenance{Seq: 1}},
		"offset": {Name: "o", Prov: policy.Provenance{Seq: 2,
			Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 7200))}},
	} {
		b := encodeUser(nil, u)
		var got User
		if err := decodeUser(b, &got); err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if again := encodeUser(nil, &got); !bytes.Equal(again, b) {
			t.Errorf("%s: re-encoding differs", name)
		}
		if !sameUser(&got, u) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", name, got, *u)
		}
	}
}

// sameUser compares documents with times compared as instants and offsets.
func sameUser(a, b *User) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// Shared provenance is stored once, and equal documents encode equally.
func TestUserCodecDeduplicatesProvenance(t *testing.T) {
	u := sampleUser()
	b := encodeUser(nil, u)
	c := encodeUser(nil, sampleUser())
	if !bytes.Equal(b, c) {
		t.Fatal("equal documents encode differently")
	}
	if n := bytes.Count(b, []byte("run")); n != 1 {
		t.Errorf("the shared provenance's run id appears %d times, want 1", n)
	}
}

// Read models written before the binary format hold JSON documents.
func TestUserCodecDecodesJSON(t *testing.T) {
	u := sampleUser()
	j, _ := json.Marshal(u)
	var got User
	if err := decodeUser(j, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Assignments, u.Assignments) || got.Name != u.Name {
		t.Errorf("decoded %+v", got)
	}
	if !sameValue([]byte("u/bob"), j, encodeUser(nil, u)) {
		t.Error("a JSON document and its binary form compare as different")
	}
}

func TestUserCodecRejectsMalformed(t *testing.T) {
	good := encodeUser(nil, sampleUser())
	cases := map[string][]byte{
		"empty":     {},
		"format":    {0x02},
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte{}, good...), 0),
		"count":     {userFormat, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"json":      []byte(`{"name":`),
	}
	for name, b := range cases {
		var u User
		if err := decodeUser(b, &u); !errors.Is(err, errBadUser) {
			t.Errorf("%s: err = %v, want errBadUser", name, err)
		}
	}
}

func FuzzDecodeUser(f *testing.F) {
	f.Add(encodeUser(nil, sampleUser()))
	f.Add(encodeUser(nil, &User{}))
	f.Add([]byte(`{"name":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var u User
		if err := decodeUser(b, &u); err != nil {
			if !errors.Is(err, errBadUser) {
				t.Fatalf("error %v is not errBadUser", err)
			}
			return
		}
		var again User
		if err := decodeUser(encodeUser(nil, &u), &again); err != nil {
			t.Fatalf("a decoded document does not re-decode: %v", err)
		}
	})
}

func BenchmarkUserCodec(b *testing.B) {
	u := sampleUser()
	for range 4 {
		u.Assignments = append(u.Assignments, u.Assignments[0])
	}
	enc, js := encodeUser(nil, u), func() []byte { j, _ := json.Marshal(u); return j }()
	b.Run("decode-binary", func(b *testing.B) {
		for b.Loop() {
			var x User
			if err := decodeUser(enc, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-json", func(b *testing.B) {
		for b.Loop() {
			var x User
			if err := decodeUser(js, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode-binary", func(b *testing.B) {
		for b.Loop() {
			encodeUser(nil, u)
		}
	})
	b.ReportMetric(float64(len(enc)), "binary-bytes")
	b.ReportMetric(float64(len(js)), "json-bytes")
}

// Many distinct provenances (the table's map path), repeated out of order.
func TestUserCodecManyProvenances(t *testing.T) {
	u := &User{Name: "bob", Status: "active"}
	for i := range 40 {
		p := policy.Provenance{Seq: uint64(i % 13), Time: time.Unix(int64(i%13), 0).UTC(), Actor: "a"}
		u.Assignments = append(u.Assignments, policy.Assignment{Role: "r", Value: fmt.Sprint(i), Prov: p})
	}
	b := encodeUser(nil, u)
	var got User
	if err := decodeUser(b, &got); err != nil {
		t.Fatal(err)
	}
	if !sameUser(&got, u) || !bytes.Equal(encodeUser(nil, &got), b) {
		t.Error("round trip differs")
	}
	if n := bytes.Count(b, []byte{1, 'a'}); n != 13 {
		t.Errorf("%d provenances stored, want 13", n)
	}
}
