package catalog

import (
	"errors"
	"strings"
	"testing"
)

func TestAllowedContexts(t *testing.T) {
	c := Default()
	cases := []struct {
		perm string
		want string
	}{
		{"*", "global"},
		{"app", "global app team pool"},
		{"app.create", "global team"},                  // narrower than its parent
		{"app.update.env.set", "global app team pool"}, // inherited from app
		{"team.create", "global"},                      // declares an empty list
		{"role.update.assign", "global"},               // no declaring ancestor
		{"user.delete", "global user"},
		{"apikey.update", "global user"},
		{"permission.grant", "global app team user pool service service-instance volume router job"},
	}
	for _, tc := range cases {
		if got := strings.Join(c.AllowedContexts(tc.perm), " "); got != tc.want {
			t.Errorf("AllowedContexts(%q) = %q, want %q", tc.perm, got, tc.want)
		}
	}
}

func TestKnownAndImplicitParents(t *testing.T) {
	c, err := Parse([]byte(`{"name":"x","context_types":["app"],"self":[],"permissions":[{"name":"a.b.c","contexts":["app"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a", "a.b", "a.b.c", "*"} {
		if !c.Known(p) {
			t.Errorf("%q should be known (implicit parent)", p)
		}
	}
	if c.Known("a.b.c.d") || c.Known("") || c.Known("a..b") {
		t.Error("unknown names reported known")
	}
	if got := strings.Join(c.AllowedContexts("a.b"), " "); got != "global" {
		t.Errorf("an implicit parent with no declaring ancestor allows %q, want global", got)
	}
}

func TestCovers(t *testing.T) {
	cases := []struct {
		held, perm string
		want       bool
	}{
		{"app.update", "app.update.env.set", true},
		{"app.update.env.set", "app.update", false},
		{"*", "pool.create", true},
		{"app", "app", true},
		{"app", "apps.read", false},
		{"app.up", "app.update", false},
	}
	for _, tc := range cases {
		if got := Covers(tc.held, tc.perm); got != tc.want {
			t.Errorf("Covers(%q, %q) = %v, want %v", tc.held, tc.perm, got, tc.want)
		}
	}
}

func TestParseContext(t *testing.T) {
	c := Default()
	good := map[string]string{"": "global", "global": "global", "team:blue": "team:blue", "service-instance:mysql/db": "service-instance:mysql/db"}
	for in, want := range good {
		ctx, err := c.ParseContext(in)
		if err != nil || ctx.String() != want {
			t.Errorf("ParseContext(%q) = %v, %v; want %s", in, ctx, err, want)
		}
	}
	for _, bad := range []string{"galaxy:far", "team:", ":x", "team", "team:a b", "team:a\x00", "global:x", "team:\xff"} {
		if _, err := c.ParseContext(bad); !errors.Is(err, ErrInvalidContext) {
			t.Errorf("ParseContext(%q) err = %v, want ErrInvalidContext", bad, err)
		}
	}
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"bob@corp.com", "Bob", "ü", strings.Repeat("a", MaxNameLen)} {
		if err := ValidateName("user", ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", " bob", "bo b", "bob\n", "bob\x7f", "\xff", strings.Repeat("a", MaxNameLen+1), "a\u00a0b"} {
		if err := ValidateName("user", bad); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateName(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
}

func TestCatalogJSONRoundTrip(t *testing.T) {
	c := Default()
	c2, err := Parse(c.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if string(c2.JSON()) != string(c.JSON()) {
		t.Error("catalog JSON does not round-trip")
	}
	if len(c2.Permissions()) != len(c.Permissions()) {
		t.Error("permission count changed")
	}
}
