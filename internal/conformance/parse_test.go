package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedDir is the project's scenario folder, from this package's folder.
const sharedDir = "../../../shared/conformance"

func TestSharedScenariosParse(t *testing.T) {
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("no scenario folder: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(sharedDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.json in %s: %v", sharedDir, err)
	}
	scs, err := Load([]string{sharedDir})
	if err != nil {
		t.Fatal(err)
	}
	if len(scs) != len(files) {
		t.Fatalf("loaded %d scenarios from %d files", len(scs), len(files))
	}
	for _, sc := range scs {
		if sc.Name == "" || len(sc.Steps) == 0 || len(sc.Rules) == 0 {
			t.Errorf("%s: empty name, steps or rules", sc.File)
		}
	}
}

const okStep = `{"do": "root-user-create", "args": {"user": "root", "password": "pw"}}`

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, json string
		want       []string // substrings of the error besides the file name
	}{
		{"unknown top-level key", `{"name": "x", "steps": [` + okStep + `], "descr": "y"}`,
			[]string{`unknown key "descr"`}},
		{"unknown step key", `{"name": "x", "steps": [` + okStep + `, {"do": "login", "args": {}, "expect_eror": "forbidden"}]}`,
			[]string{"step 2", `unknown key "expect_eror"`}},
		{"key of another kind of step", `{"name": "x", "steps": [{"do": "login", "expect": "allow"}]}`,
			[]string{"step 1", `key "expect" does not belong in a do step`}},
		{"case-folded key", `{"name": "x", "steps": [{"Do": "login"}]}`,
			[]string{"step 1", `unknown key "Do"`}},
		{"do and check", `{"name": "x", "steps": [` + okStep + `, {"do": "login", "check": {"user": "a", "permission": "p"}, "expect": "allow"}]}`,
			[]string{"step 2", `exactly one of "do", "check", "authenticate"`, `["do" "check"]`}},
		{"no kind", `{"name": "x", "steps": [{"args": {}}]}`,
			[]string{"step 1", "exactly one of", "none"}},
		{"check with expect and expect_error", `{"name": "x", "steps": [` + okStep + `, ` + okStep + `,
			{"check": {"user": "a", "permission": "p", "contexts": []}, "expect": "allow", "expect_error": "forbidden"}]}`,
			[]string{"step 3", `exactly one of "expect", "expect_error"`}},
		{"check with neither expectation", `{"name": "x", "steps": [{"check": {"user": "a", "permission": "p"}}]}`,
			[]string{"step 1", `exactly one of "expect", "expect_error"; it has none`}},
		{"expect_rule R7", `{"name": "x", "steps": [{"check": {"user": "a", "permission": "p", "contexts": []}, "expect": "allow", "expect_rule": "R7"}]}`,
			[]string{"step 1", `"expect_rule"`, `"R7"`}},
		{"expect maybe", `{"name": "x", "steps": [{"check": {"user": "a", "permission": "p"}, "expect": "maybe"}]}`,
			[]string{"step 1", `"maybe"`}},
		{"unknown check key", `{"name": "x", "steps": [{"check": {"user": "a", "permission": "p", "context": []}, "expect": "deny"}]}`,
			[]string{"step 1", `"check": unknown key "context"`}},
		{"check user and token", `{"name": "x", "steps": [{"do": "login", "args": {}, "save_token": "t"},
			{"check": {"user": "a", "token": "t", "permission": "p"}, "expect": "deny"}]}`,
			[]string{"step 2", `exactly one non-empty "user" or "token"`}},
		{"bad JSON", "{\"name\": \"x\", \"steps\": [\n" + okStep + ",\n{\"do\": \"login\",, \"args\": {}}]}",
			[]string{"step 2", "invalid JSON at line 3, column 16"}},
		{"truncated JSON", `{"name": "x", "steps": [` + okStep,
			[]string{"invalid JSON", "unexpected end"}},
		{"trailing data", `{"name": "x", "steps": [` + okStep + `]} {}`,
			[]string{"invalid JSON"}},
		{"unknown command", `{"name": "x", "steps": [{"do": "role-asign", "as": "a"}]}`,
			[]string{"step 1", `unknown command "role-asign"`}},
		{"unknown error code", `{"name": "x", "steps": [{"do": "login", "expect_error": "denied"}]}`,
			[]string{"step 1", `unknown error code "denied"`}},
		{"as and token", `{"name": "x", "steps": [{"do": "login", "args": {}, "save_token": "t"}, {"do": "login", "as": "a", "token": "t"}]}`,
			[]string{"step 2", `"as" "a" and "token" "t" are exclusive`}},
		{"root-user-create with as", `{"name": "x", "steps": [{"do": "root-user-create", "as": "a", "args": {"user": "a", "password": "b"}}]}`,
			[]string{"step 1", "local operator command"}},
		{"root-user-create extra arg", `{"name": "x", "steps": [{"do": "root-user-create", "args": {"user": "a", "password": "b", "admin": true}}]}`,
			[]string{"step 1", `"args": unknown key "admin"`}},
		{"expect_events 1", `{"name": "x", "steps": [{"do": "login", "expect_events": 1}]}`,
			[]string{"step 1", `only 0 is allowed, got 1`}},
		{"expect_events string", `{"name": "x", "steps": [{"do": "login", "expect_events": "0"}]}`,
			[]string{"step 1", `"expect_events": want the number 0, got a string "0"`}},
		{"duplicate mark", `{"name": "x", "steps": [{"do": "login", "mark": "m"}, {"do": "login", "mark": "m"}]}`,
			[]string{"step 2", `"m" is already defined`}},
		{"unknown mark", `{"name": "x", "steps": [{"check": {"user": "a", "permission": "p"}, "expect": "deny", "at": "m"}]}`,
			[]string{"step 1", `no earlier step marked "m"`}},
		{"unknown token name", `{"name": "x", "steps": [{"authenticate": {"token": "k"}, "expect": "a"}]}`,
			[]string{"step 1", `no earlier step saved a token named "k"`}},
		{"unknown $name", `{"name": "x", "steps": [{"do": "user-register", "args": {"registration_token": "$rt9"}}]}`,
			[]string{"step 1", `"$rt9" names no token saved by an earlier step`}},
		{"save_token with expect_error", `{"name": "x", "steps": [{"do": "login", "save_token": "t", "expect_error": "unauthenticated"}]}`,
			[]string{"step 1", `"save_token" "t" with "expect_error"`}},
		{"args not an object", `{"name": "x", "steps": [{"do": "login", "args": ["a"]}]}`,
			[]string{"step 1", `"args": want an object, got a list`}},
		{"null value", `{"name": "x", "steps": [{"do": "login", "as": null}]}`,
			[]string{"step 1", `key "as" is null`}},
		{"step not an object", `{"name": "x", "steps": ["login"]}`,
			[]string{"step 1", `want an object, got a string "login"`}},
		{"file not an object", `[]`, []string{`want an object, got a list []`}},
		{"check not an object", `{"name": "x", "steps": [{"check": "bob", "expect": "deny"}]}`,
			[]string{"step 1", `"check": want an object, got a string "bob"`}},
		{"no steps", `{"name": "x", "steps": []}`, []string{`"steps" is missing or empty`}},
		{"no name", `{"steps": [` + okStep + `]}`, []string{`"name" is missing or empty`}},
		{"authenticate with expect_rule", `{"name": "x", "steps": [{"do": "login", "save_token": "t"}, {"authenticate": {"token": "t"}, "expect": "a", "expect_rule": "R1"}]}`,
			[]string{"step 2", `key "expect_rule" does not belong in an authenticate step`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("scenarios/bad.json", []byte(c.json))
			if err == nil {
				t.Fatal("Parse accepted it")
			}
			t.Log(err)
			for _, w := range append([]string{"scenarios/bad.json: "}, c.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	sc, err := Parse("ok.json", []byte(`{"name": "ok", "rules": ["R1"], "steps": [
		{"do": "login", "args": {"user": "a", "password": "$2a$10$xyz"}, "save_token": "k-1", "mark": "m"},
		{"do": "token-regenerate", "token": "k-1"},
		{"check": {"token": "k-1", "permission": "p"}, "expect_error": "unauthenticated", "at": "m"},
		{"authenticate": {"token": "k-1"}, "expect_error": "unauthenticated"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d := sc.Steps[1].Do
	if string(d.Args) != "{}" || d.Token != "k-1" || sc.Steps[1].Num != 2 {
		t.Fatalf("step 2: got %+v", d)
	}
	if c := sc.Steps[2].Check; c.Contexts == nil || c.At != "m" || c.Token != "k-1" {
		t.Fatalf("step 3: got %+v", c)
	}
	if got := sc.ID(); got != "ok" {
		t.Fatalf("ID: got %q", got)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.json", `{"name": "b", "steps": [`+okStep+`]}`)
	write("a.json", `{"name": "a", "steps": [`+okStep+`]}`)
	write("c.json", `{"name": "c"}`)
	write("notes.txt", "not a scenario")
	scs, err := Load([]string{dir, filepath.Join(dir, "missing.json")})
	if len(scs) != 2 || scs[0].Name != "a" || scs[1].Name != "b" {
		t.Fatalf("want a and b in order, got %v", scs)
	}
	for _, w := range []string{"c.json", "missing.json"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not name %s", err, w)
		}
	}
	if _, err := Load([]string{t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no *.json") {
		t.Errorf("empty folder: got %v", err)
	}
}
