package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// syntaxError describes why data is not valid JSON: the line and column, and
// the step being read there when the error falls inside "steps".
func syntaxError(file string, data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		return nil
	}
	offset := int64(len(data))
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	line, col := position(data, offset)
	where := fmt.Sprintf("%s: ", file)
	if n := stepAt(data); n > 0 {
		where += fmt.Sprintf("step %d: ", n)
	}
	return fmt.Errorf("%sinvalid JSON at line %d, column %d: %v", where, line, col, err)
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1)
	if col == 0 {
		col = 1
	}
	return line, col
}

// jsonFrame is one open object or list while scanning tokens.
type jsonFrame struct {
	obj     bool
	wantKey bool
	key     string // the object's last key
}

// stepAt scans data token by token and returns the 1-based number of the
// element of the top-level "steps" list being read where scanning stops (at
// a syntax error or the end), or 0 outside that list.
func stepAt(data []byte) int {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []jsonFrame
	step := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			if len(stack) < 2 || stack[0].key != "steps" {
				return 0
			}
			return step
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if top := len(stack) - 1; top >= 0 && stack[top].obj && stack[top].wantKey {
			stack[top].key, stack[top].wantKey = tok.(string), false
			continue
		}
		if len(stack) == 2 && stack[0].key == "steps" && !stack[1].obj {
			step++
		}
		if top := len(stack) - 1; top >= 0 && stack[top].obj {
			stack[top].wantKey = true
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, jsonFrame{obj: d == '{', wantKey: d == '{'})
		}
	}
}
