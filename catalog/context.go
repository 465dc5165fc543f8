package catalog

import (
	"fmt"
	"strings"
)

// Context is global, or TYPE:VALUE. The zero value is not valid; use
// GlobalContext.
type Context struct {
	Type  string
	Value string
}

// GlobalContext is the context every check implies.
var GlobalContext = Context{Type: Global}

// IsGlobal reports whether c is the global context.
func (c Context) IsGlobal() bool { return c.Type == Global }

// String renders global, or TYPE:VALUE.
func (c Context) String() string {
	if c.Type == Global {
		return Global
	}
	return c.Type + ":" + c.Value
}

// ParseContext parses the syntax of a context: "global" (or "") or TYPE:VALUE
// with a non-empty VALUE without whitespace or control characters. It does
// not know which types exist: Catalog.ParseContext does.
func ParseContext(s string) (Context, error) {
	if s == "" || s == Global {
		return GlobalContext, nil
	}
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return Context{}, fmt.Errorf("%w: %q is not global or TYPE:VALUE", ErrInvalidContext, s)
	}
	typ, val := s[:i], s[i+1:]
	if typ == Global {
		return Context{}, fmt.Errorf("%w: global takes no value in %q", ErrInvalidContext, s)
	}
	if val == "" {
		return Context{}, fmt.Errorf("%w: empty value in %q", ErrInvalidContext, s)
	}
	if err := noSpaceOrControl(typ); err != nil {
		return Context{}, fmt.Errorf("%w: context %q: %v", ErrInvalidContext, s, err)
	}
	if err := noSpaceOrControl(val); err != nil {
		return Context{}, fmt.Errorf("%w: context %q: %v", ErrInvalidContext, s, err)
	}
	return Context{Type: typ, Value: val}, nil
}
