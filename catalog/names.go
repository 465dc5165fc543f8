package catalog

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// MaxNameLen is the longest user, team or role name (SEMANTICS.md section 1).
const MaxNameLen = 254

// ErrInvalidName is returned for a user, team or role name that breaks the
// syntax: 1-254 characters, valid UTF-8, no whitespace, no control characters.
var ErrInvalidName = errors.New("invalid name")

// ValidateName checks the syntax of a user, team or role name. Names are
// case-sensitive and never trimmed here.
func ValidateName(kind, s string) error {
	if s == "" {
		return fmt.Errorf("%w: %s name is empty", ErrInvalidName, kind)
	}
	if n := utf8.RuneCountInString(s); n > MaxNameLen {
		return fmt.Errorf("%w: %s name %.40q... is %d characters (at most %d)", ErrInvalidName, kind, s, n, MaxNameLen)
	}
	if err := noSpaceOrControl(s); err != nil {
		return fmt.Errorf("%w: %s name %q: %v", ErrInvalidName, kind, s, err)
	}
	return nil
}

func noSpaceOrControl(s string) error {
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			return errors.New("contains whitespace")
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return errors.New("contains a control character")
		}
	}
	return nil
}
