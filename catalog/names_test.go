package catalog

import (
	"errors"
	"strings"
	"testing"
)

// TestValidateNameSaysWhy: each way a name breaks the syntax is named in
// the error, invalid UTF-8 (raw, or as the U+FFFD encoding/json makes of
// it) never as a control character.
func TestValidateNameSaysWhy(t *testing.T) {
	for _, c := range []struct {
		name, say, notSay string
	}{
		{"", "name is empty", ""},
		{"\xff", "is not valid UTF-8", "control"},
		{"blue\xc3", "is not valid UTF-8", "control"},
		{"blue\uFFFD", "is not valid UTF-8 (U+FFFD", "control"},
		{"a\x00b", "contains a control character", "UTF-8"},
		{"a\x7fb", "contains a control character", "UTF-8"},
		{"a\u0085b", "contains whitespace", "UTF-8"}, // NEL is both; whitespace is said first
		{"a b", "contains whitespace", ""},
		{"a\u00a0b", "contains whitespace", ""},
		{"a\u2028b\xff", "is not valid UTF-8", "whitespace"},
		{strings.Repeat("é", MaxNameLen+1), "255 characters", ""},
	} {
		err := ValidateName("team", c.name)
		if !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateName(%q) = %v, want ErrInvalidName", c.name, err)
			continue
		}
		if !strings.Contains(err.Error(), c.say) || c.notSay != "" && strings.Contains(err.Error(), c.notSay) {
			t.Errorf("ValidateName(%q) = %q, want it to say %q and not %q", c.name, err, c.say, c.notSay)
		}
	}
}
