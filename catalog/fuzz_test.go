package catalog_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/permledger/permledger/catalog"
)

// Fuzz targets for everything the catalog parses: contexts, names,
// permission names and whole catalog files. Each compares with a reading of
// SEMANTICS.md section 1 written here, not with the package's own helpers.

// refClean: valid UTF-8, no whitespace, no control character. U+FFFD is
// refused too: encoding/json turns invalid UTF-8 into it, so it stands for
// bytes that were not text.
func refClean(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// refContext is "global" (or "") or TYPE:VALUE, both parts non-empty and
// clean, TYPE not global; VALUE may itself contain ':'.
func refContext(s string) (typ, value string, ok bool) {
	if s == "" || s == "global" {
		return "global", "", true
	}
	typ, value, found := strings.Cut(s, ":")
	if !found || typ == "" || value == "" || typ == "global" || !refClean(typ) || !refClean(value) {
		return "", "", false
	}
	return typ, value, true
}

func FuzzParseContext(f *testing.F) {
	for _, s := range []string{"", "global", "team:blue", "app:a:b", "team:", ":x", "global:x", "team:a b",
		"galaxy:far", "team:\x00", "user:bob@corp.com", "team:\xff", "pool:\u00a0"} {
		f.Add(s)
	}
	cat := catalog.Default()
	f.Fuzz(func(t *testing.T, s string) {
		typ, value, ok := refContext(s)
		ctx, err := catalog.ParseContext(s)
		if (err == nil) != ok {
			t.Fatalf("ParseContext(%q) err = %v, reference valid = %v", s, err, ok)
		}
		if err != nil {
			if !errors.Is(err, catalog.ErrInvalidContext) {
				t.Fatalf("ParseContext(%q) err = %v, want ErrInvalidContext", s, err)
			}
			return
		}
		if ctx.Type != typ || ctx.Value != value {
			t.Fatalf("ParseContext(%q) = %+v, want %s / %s", s, ctx, typ, value)
		}
		if back, err := catalog.ParseContext(ctx.String()); err != nil || back != ctx {
			t.Fatalf("round trip of %q: %+v, %v", s, back, err)
		}
		_, err = cat.ParseContext(s)
		if known := cat.IsContextType(typ); (err == nil) != known {
			t.Fatalf("Default().ParseContext(%q) err = %v, type %q known = %v", s, err, typ, known)
		}
	})
}

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"bob", "", "bob@corp.com", "blue team", "bob\u0007", "\u00e9t\u00e9", "a\u2028b",
		"\xff", strings.Repeat("x", 254), strings.Repeat("é", 255), "tab\t", "nbsp\u00a0", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := utf8.RuneCountInString(s)
		ok := n >= 1 && n <= catalog.MaxNameLen && refClean(s)
		err := catalog.ValidateName("user", s)
		if (err == nil) != ok {
			t.Fatalf("ValidateName(%q) err = %v, reference valid = %v", s, err, ok)
		}
		if err != nil && !errors.Is(err, catalog.ErrInvalidName) {
			t.Fatalf("ValidateName(%q) err = %v, want ErrInvalidName", s, err)
		}
	})
}

// refAllowed is section 1's allowed contexts: global plus the types of the
// node, or of its nearest declaring ancestor.
func refAllowed(f catalog.File, perm string) []string {
	declared := map[string]*[]string{}
	for _, n := range f.Permissions {
		declared[n.Name] = n.Contexts
	}
	set := map[string]bool{}
	for p := perm; p != "*"; {
		if ctxs := declared[p]; ctxs != nil {
			for _, t := range *ctxs {
				set[t] = true
			}
			break
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	out := []string{"global"}
	for _, t := range f.ContextTypes {
		if set[t] && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// refCovers is R6.
func refCovers(held, perm string) bool {
	return held == "*" || held == perm || strings.HasPrefix(perm, held+".")
}

func FuzzPermission(f *testing.F) {
	for _, s := range []string{"*", "app", "app.update.env.set", "app..deploy", ".app", "app.", "", ".",
		"apps.read", "app.update.bind-volume", "team.create", "app.deploy\x00", "role.update.assign"} {
		f.Add(s)
	}
	cat := catalog.Default()
	f.Fuzz(func(t *testing.T, perm string) {
		err := cat.CheckPermission(perm)
		if !cat.Known(perm) {
			if !errors.Is(err, catalog.ErrUnknownPermission) || !strings.Contains(err.Error(), strconv.Quote(perm)) {
				t.Fatalf("CheckPermission(%q) = %v, want ErrUnknownPermission naming it", perm, err)
			}
			return
		}
		checkKnownPermission(t, cat, perm)
	})
}

func checkKnownPermission(t *testing.T, cat *catalog.Catalog, perm string) {
	if perm != "*" && (strings.Contains("."+perm+".", "..") || !refClean(perm)) {
		t.Fatalf("%q is known but breaks the name syntax", perm)
	}
	if got, want := cat.AllowedContexts(perm), refAllowed(cat.File(), perm); !slices.Equal(got, want) {
		t.Fatalf("AllowedContexts(%q) = %v, reference %v", perm, got, want)
	}
	anc := catalog.Ancestors(perm)
	for _, a := range anc {
		if !cat.Known(a) || !catalog.Covers(a, perm) {
			t.Fatalf("ancestor %q of %q: known %v, covers %v", a, perm, cat.Known(a), catalog.Covers(a, perm))
		}
	}
	for _, other := range append(cat.Permissions(), "*") {
		if got, want := catalog.Covers(other, perm), refCovers(other, perm); got != want {
			t.Fatalf("Covers(%q, %q) = %v, reference %v", other, perm, got, want)
		}
		if catalog.Covers(other, perm) != slices.Contains(anc, other) {
			t.Fatalf("Covers(%q, %q) disagrees with Ancestors %v", other, perm, anc)
		}
	}
}

func FuzzParseCatalog(f *testing.F) {
	f.Add(catalog.DefaultJSON())
	f.Add([]byte(`{"name":"x","context_types":["team"],"self":[],"permissions":[{"name":"a.b","contexts":["team"]},{"name":"a","contexts":[]}]}`))
	f.Add([]byte(`{"context_types":["global"],"permissions":[]}`))
	f.Add([]byte(`{"context_types":["t"],"permissions":[{"name":"a..b"}]}`))
	f.Add([]byte(`{"context_types":["t"],"self":["zz"],"permissions":[{"name":"a","contexts":["u"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cat, err := catalog.Parse(data)
		if err != nil {
			return
		}
		perms := cat.Permissions()
		step := max(1, len(perms)/16) // a big catalog is sampled, to keep executions fast
		for i := 0; i < len(perms); i += step {
			checkKnownPermission(t, cat, perms[i])
		}
		for _, s := range cat.SelfPermissions() {
			if !cat.Known(s) {
				t.Fatalf("self permission %q is not known", s)
			}
		}
		again, err := catalog.Parse(cat.JSON())
		if err != nil {
			t.Fatalf("re-parsing the catalog's own JSON: %v", err)
		}
		if !slices.Equal(again.Permissions(), cat.Permissions()) {
			t.Fatalf("round trip changed the permissions")
		}
	})
}
