package strictjson

import (
	"encoding/json"
	"unicode/utf8"
)

// scanObjectKeys is the fast path of objectKeys: one pass over the bytes of
// an object whose keys have no escapes and are valid UTF-8. It answers ok=false for anything
// else (not an object, an escaped key, bytes it does not expect), and the
// caller falls back to encoding/json's tokenizer; FuzzObjectKeys holds the
// two to the same answers. It does not validate values fully: Unmarshal's
// decoder does, after the keys are checked.
func scanObjectKeys(data []byte) (keys []string, vals []json.RawMessage, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, nil, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return nil, nil, skipSpace(data, i+1) == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, nil, false
		}
		end, escaped := scanString(data, i)
		if end < 0 || escaped {
			return nil, nil, false
		}
		key := string(data[i+1 : end-1])
		if !utf8.ValidString(key) { // encoding/json makes U+FFFD of those bytes
			return nil, nil, false
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, nil, false
		}
		i = skipSpace(data, i+1)
		vend := scanValue(data, i)
		if vend < 0 {
			return nil, nil, false
		}
		keys, vals = append(keys, key), append(vals, json.RawMessage(data[i:vend]))
		i = skipSpace(data, vend)
		if i >= len(data) {
			return nil, nil, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return keys, vals, skipSpace(data, i+1) == len(data)
		default:
			return nil, nil, false
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// scanString returns the index just past the string starting at data[i]
// (a '"'), and whether it holds an escape; -1 if it does not end or holds
// a control character.
func scanString(data []byte, i int) (int, bool) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			return j + 1, escaped
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return -1, false
		}
	}
	return -1, false
}

// scanValue returns the index just past the value starting at data[i], or
// -1. Containers are matched by depth, with strings skipped whole; scalars
// end at the first delimiter.
func scanValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := scanString(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := scanString(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	case ',', '}', ']', ':':
		return -1
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j
		}
		j++
	}
	return j
}
