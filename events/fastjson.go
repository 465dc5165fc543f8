package events

import (
	"unicode/utf8"
)

// The codec's fast paths (fastdecode.go, fastencode.go) read and write the
// canonical form this package writes without reflection. They handle a
// strict subset of JSON and answer "not handled" for anything else (escapes,
// unknown or repeated keys, nulls, numbers that are not small integers...),
// and the caller then runs encoding/json on the same input: every input
// decodes exactly as encoding/json decodes it, and every batch encodes to
// the bytes encoding/json writes. The projector decodes every event of the
// log, so this is the rebuild's and the bulk load's hot path (issue 7).

// scanner reads JSON tokens from b.
type scanner struct {
	b []byte
	i int
	// escapeFree makes anyString refuse the characters json.Marshal
	// escapes in a json.RawMessage ('<', '>', '&', U+2028, U+2029: any
	// 0xE2 byte, conservatively), for compactJSON.
	escapeFree bool
	// intern makes text share the strings of payloads among the recent.
	intern bool
	recent [32]string
}

// quoted reads the string prev if it stands next, quoted, and reports
// whether it did. prev must be a string plainString returned: it has no
// character that would end or escape it, so the bytes need no scanning.
func (s *scanner) quoted(prev string) bool {
	s.skipSpace()
	b, n := s.b[s.i:], len(prev)
	if len(b) < n+2 || b[0] != '"' || b[n+1] != '"' || string(b[1:n+1]) != prev {
		return false
	}
	s.i += n + 2
	return true
}

// Byte classes for the string loops: plainByte is a byte json.Marshal
// writes unchanged inside a string (printable ASCII but '"', '\\' and the
// HTML characters); strStop is a byte where anyString must look (the end
// of the string, an escape, a control character), htmlStop adds what
// escapeFree refuses, plainStop adds non-ASCII (plainString checks UTF-8).
var plainByte, strStop, htmlStop, plainStop [256]bool

func init() {
	for c := range 256 {
		plainByte[c] = c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
		strStop[c] = c == '"' || c == '\\' || c < 0x20
		htmlStop[c] = strStop[c] || c == '<' || c == '>' || c == '&' || c == 0xE2
		plainStop[c] = strStop[c] || c >= utf8.RuneSelf
	}
}

func (s *scanner) skipSpace() {
	if s.i < len(s.b) && s.b[s.i] > ' ' {
		return // the canonical form has no white space
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// consume skips white space and then c, reporting whether c was there.
func (s *scanner) consume(c byte) bool {
	s.skipSpace()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// plainString reads a string with no escape sequences and valid UTF-8 and
// returns its content (not a copy); ok is false for anything else.
func (s *scanner) plainString() ([]byte, bool) {
	s.skipSpace()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	ascii := true
	b := s.b
	for j := start; j < len(b); j++ {
		c := b[j]
		if !plainStop[c] {
			continue
		}
		if c == '"' {
			s.i = j + 1
			v := s.b[start:j]
			if !ascii && !utf8.Valid(v) {
				return nil, false
			}
			return v, true
		}
		if c == '\\' || c < 0x20 {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	return nil, false
}

// smallInt reads a non-negative integer without sign, fraction, exponent or
// leading zero, below 10^9.
func (s *scanner) smallInt() (int, bool) {
	s.skipSpace()
	start, n := s.i, 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' && s.i-start < 9 {
		n = n*10 + int(s.b[s.i]-'0')
		s.i++
	}
	switch {
	case s.i == start, s.i-start > 1 && s.b[start] == '0':
		return 0, false
	case s.i < len(s.b) && (s.b[s.i] >= '0' && s.b[s.i] <= '9' || s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E'):
		return 0, false
	}
	return n, true
}

// boolean reads true or false.
func (s *scanner) boolean() (bool, bool) {
	s.skipSpace()
	switch {
	case hasWord(s.b[s.i:], "true"):
		s.i += 4
		return true, true
	case hasWord(s.b[s.i:], "false"):
		s.i += 5
		return false, true
	}
	return false, false
}

func hasWord(b []byte, w string) bool {
	return len(b) >= len(w) && string(b[:len(w)]) == w
}

// value skips one JSON value after white space and returns its bytes; ok is
// false if it is not valid JSON as encoding/json's scanner defines it.
// spaced reports white space inside the value (the value is not compact).
func (s *scanner) value(depth int) (raw []byte, spaced bool, ok bool) {
	s.skipSpace()
	start := s.i
	if s.i >= len(s.b) || depth > 64 {
		return nil, false, false
	}
	switch c := s.b[s.i]; {
	case c == '{':
		spaced, ok = s.container('}', depth, true)
	case c == '[':
		spaced, ok = s.container(']', depth, false)
	case c == '"':
		ok = s.anyString()
	case c == '-' || c >= '0' && c <= '9':
		ok = s.number()
	case hasWord(s.b[s.i:], "true"):
		s.i, ok = s.i+4, true
	case hasWord(s.b[s.i:], "false"):
		s.i, ok = s.i+5, true
	case hasWord(s.b[s.i:], "null"):
		s.i, ok = s.i+4, true
	}
	return s.b[start:s.i], spaced, ok
}

// container skips an object or an array whose opening byte is at s.i.
func (s *scanner) container(end byte, depth int, object bool) (spaced, ok bool) {
	s.i++
	before := s.i
	s.skipSpace()
	spaced = s.i > before
	if s.i < len(s.b) && s.b[s.i] == end {
		s.i++
		return spaced, true
	}
	for first := true; ; first = false {
		if !first {
			before = s.i
			s.skipSpace()
			spaced = spaced || s.i > before
		}
		if object {
			if !s.anyString() {
				return false, false
			}
			before = s.i
			if !s.consume(':') {
				return false, false
			}
			spaced = spaced || s.i-before > 1
		}
		before = s.i
		s.skipSpace()
		spaced = spaced || s.i > before
		_, sp, ok := s.value(depth + 1)
		if !ok {
			return false, false
		}
		before = s.i
		s.skipSpace()
		spaced = spaced || sp || s.i > before
		if s.i >= len(s.b) {
			return false, false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case end:
			s.i++
			return spaced, true
		default:
			return false, false
		}
	}
}

// anyString skips a string at s.i, escapes included, checking them as
// encoding/json's scanner does (it does not check UTF-8).
func (s *scanner) anyString() bool {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false
	}
	stop := &strStop
	if s.escapeFree {
		stop = &htmlStop
	}
	b := s.b
	for s.i++; s.i < len(b); s.i++ {
		c := b[s.i]
		if !stop[c] {
			continue
		}
		switch {
		case c == '"':
			s.i++
			return true
		case c == '\\':
			if !s.escape() {
				return false
			}
		default:
			return false
		}
	}
	return false
}

// escape checks the escape sequence at s.i and leaves s.i on its last byte.
func (s *scanner) escape() bool {
	s.i++
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		if s.i+4 >= len(s.b) {
			return false
		}
		for _, h := range s.b[s.i+1 : s.i+5] {
			if !isHex(h) {
				return false
			}
		}
		s.i += 4
		return true
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number skips a JSON number at s.i.
func (s *scanner) number() bool {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}
