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

// noSpaceOrControl checks that s is valid UTF-8 with no whitespace and no
// control character. U+FFFD counts as invalid UTF-8: encoding/json puts it
// for bytes that are not UTF-8, so in a decoded request it stands for them.
func noSpaceOrControl(s string) error {
	if !utf8.ValidString(s) {
		return errNotUTF8
	}
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return errors.New("contains whitespace")
		case r == utf8.RuneError:
			return fmt.Errorf("%w (U+FFFD, which stands for bytes that are not UTF-8)", errNotUTF8)
		case unicode.IsControl(r):
			return errors.New("contains a control character")
		}
	}
	return nil
}

var errNotUTF8 = errors.New("is not valid UTF-8")
