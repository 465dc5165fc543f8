package strictjson

import (
	"encoding/json"
	"strings"
	"testing"
)

type inner struct {
	Name string `json:"name"`
}

type embedded struct {
	Role string `json:"role"`
}

type outer struct {
	embedded
	User  string          `json:"user"`
	Items []inner         `json:"items,omitempty"`
	Raw   json.RawMessage `json:"raw,omitempty"`
	Ptr   *inner          `json:"ptr,omitempty"`
}

func TestUnmarshal(t *testing.T) {
	cases := []struct {
		in      string
		wantErr string
	}{
		{`{"user":"bob","role":"r","items":[{"name":"x"}],"raw":{"Anything":1},"ptr":{"name":"y"}}`, ""},
		{`{"User":"bob"}`, `unknown field "User"`},
		{`{"user":"bob","User":"carol"}`, `unknown field "User"`},
		{`{"user":"bob","user":"carol"}`, `duplicate field "user"`},
		{`{"items":[{"Name":"x"}]}`, `unknown field "Name" in items[0]`},
		{`{"ptr":{"nope":1}}`, `unknown field "nope" in ptr`},
		{`{"ROLE":"r"}`, `unknown field "ROLE"`},
		{`{"user":"bob"} {}`, "trailing data"},
		{`{"user":7}`, "cannot unmarshal"},
		{`[1]`, "cannot unmarshal"},
	}
	for _, tc := range cases {
		var v outer
		err := Unmarshal([]byte(tc.in), &v)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: err = %v, want %q", tc.in, err, tc.wantErr)
		}
	}
}
