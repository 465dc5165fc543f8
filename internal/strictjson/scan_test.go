package strictjson

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzObjectKeys holds the one-pass scanner to encoding/json's tokenizer:
// on valid JSON, whenever the scanner answers, it answers the same keys and
// the same raw values.
func FuzzObjectKeys(f *testing.F) {
	for _, s := range []string{
		`{}`, ` { } `, `{"user":"bob","User":"carol"}`, `{"a":1,"a":2}`,
		`{"token":"t","args":{"user":"bob","permission":"app.deploy","context":"app:web"}}`,
		`{"a":[1,{"b":"}"}],"c":{"d":[]},"e":null,"f":true,"g":-1.5e3}`,
		`{"\u0075ser":"x"}`, `{"a\"b":1}`, `{"a":"\"}"}`, "{\n\t\"a\" :\r 1 }",
		`[1,2]`, `"s"`, `{"a":1}x`, `{"a":}`, `{"a":1,}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, vals, ok := scanObjectKeys(data)
		if !ok || !json.Valid(data) {
			return
		}
		wantKeys, wantVals, wantOK := tokenObjectKeys(data)
		if !wantOK {
			t.Fatalf("%q: scanner answered %q, the tokenizer nothing", data, keys)
		}
		if !slices.Equal(keys, wantKeys) {
			t.Fatalf("%q: keys %q, want %q", data, keys, wantKeys)
		}
		if len(vals) != len(wantVals) {
			t.Fatalf("%q: %d values, want %d", data, len(vals), len(wantVals))
		}
		for i := range vals {
			if !bytes.Equal(vals[i], wantVals[i]) {
				t.Fatalf("%q: value %d %q, want %q", data, i, vals[i], wantVals[i])
			}
		}
	})
}

func BenchmarkUnmarshalCommandRequest(b *testing.B) {
	data := []byte(`{"command_id":"c-1","token":"0123456789abcdef0123456789abcdef","args":{"user":"bob","permission":"app.deploy","context":"app:web"}}`)
	var v struct {
		CommandID string          `json:"command_id"`
		Token     string          `json:"token"`
		Args      json.RawMessage `json:"args"`
	}
	for b.Loop() {
		if err := Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
