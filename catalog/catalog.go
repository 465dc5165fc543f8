package catalog

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Root is the user-facing spelling of the root of the permission tree.
const Root = "*"

// Global is the context that every permission allows and every check implies.
const Global = "global"

//go:embed tsuru.json
var tsuruJSON []byte

// ErrUnknownPermission is returned for a permission name that is not in the catalog.
var ErrUnknownPermission = errors.New("unknown permission")

// ErrInvalidContext is returned for a malformed context or an unknown context type.
var ErrInvalidContext = errors.New("invalid context")

// ErrContextNotAllowed is returned when a permission does not allow a context type.
var ErrContextNotAllowed = errors.New("context not allowed for permission")

// Node is one permission of the tree as the catalog file declares it. A nil
// Contexts inherits from the nearest declaring ancestor; an empty, non-nil
// Contexts allows global only.
type Node struct {
	Name     string    `json:"name"`
	Contexts *[]string `json:"contexts,omitempty"`
}

// File is the catalog's JSON form, as recorded in the log.
type File struct {
	Name         string   `json:"name"`
	ContextTypes []string `json:"context_types"`
	Self         []string `json:"self"`
	Permissions  []Node   `json:"permissions"`
}

// Catalog is a parsed, indexed permission tree. It is immutable after Parse.
type Catalog struct {
	file     File
	types    map[string]bool
	allowed  map[string]map[string]bool // permission -> allowed context types (global included)
	ordered  []string                   // permission names, sorted
	selfPerm []string
}

var builtin = sync.OnceValue(func() *Catalog {
	c, err := Parse(tsuruJSON)
	if err != nil {
		panic("catalog: built-in catalog is invalid: " + err.Error())
	}
	return c
})

// Default returns the built-in catalog (tsuru's tree). It is shared and
// immutable.
func Default() *Catalog { return builtin() }

// DefaultJSON returns the built-in catalog's bytes.
func DefaultJSON() []byte { return append([]byte(nil), tsuruJSON...) }

// Parse reads a catalog file. Intermediate nodes are created implicitly
// (registering app.update.env.set creates app, app.update, app.update.env).
func Parse(data []byte) (*Catalog, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return New(f)
}

// New indexes a catalog file.
func New(f File) (*Catalog, error) {
	c := &Catalog{file: f, types: map[string]bool{}, allowed: map[string]map[string]bool{}}
	for _, t := range f.ContextTypes {
		if t == Global || t == "" || strings.ContainsAny(t, ": \t\n") {
			return nil, fmt.Errorf("catalog: invalid context type %q", t)
		}
		c.types[t] = true
	}
	declared := map[string]*[]string{}
	for _, n := range f.Permissions {
		if err := validPermissionSyntax(n.Name); err != nil || n.Name == Root {
			return nil, fmt.Errorf("catalog: invalid permission name %q", n.Name)
		}
		if n.Contexts != nil {
			for _, t := range *n.Contexts {
				if !c.types[t] {
					return nil, fmt.Errorf("catalog: permission %q declares unknown context type %q", n.Name, t)
				}
			}
		}
		declared[n.Name] = n.Contexts
		for p := parent(n.Name); p != ""; p = parent(p) {
			if _, ok := declared[p]; !ok {
				declared[p] = nil
			}
		}
	}
	for name := range declared {
		set := map[string]bool{Global: true}
		for p := name; p != ""; p = parent(p) {
			if ctxs := declared[p]; ctxs != nil {
				for _, t := range *ctxs {
					set[t] = true
				}
				break
			}
		}
		c.allowed[name] = set
		c.ordered = append(c.ordered, name)
	}
	c.allowed[Root] = map[string]bool{Global: true}
	sort.Strings(c.ordered)
	for _, s := range f.Self {
		if _, ok := c.allowed[s]; !ok {
			return nil, fmt.Errorf("catalog: self permission %q is not in the tree", s)
		}
		c.selfPerm = append(c.selfPerm, s)
	}
	return c, nil
}

// File returns the catalog's declared form.
func (c *Catalog) File() File { return c.file }

// JSON returns the catalog's canonical JSON form.
func (c *Catalog) JSON() []byte {
	b, _ := json.Marshal(c.file)
	return b
}

// Known reports whether perm is a permission of the tree (or the root *).
func (c *Catalog) Known(perm string) bool {
	_, ok := c.allowed[perm]
	return ok
}

// Permissions lists every permission name in order (the root not included).
func (c *Catalog) Permissions() []string { return append([]string(nil), c.ordered...) }

// ContextTypes lists the catalog's context types (global not included).
func (c *Catalog) ContextTypes() []string { return append([]string(nil), c.file.ContextTypes...) }

// IsContextType reports whether t is global or one of the catalog's types.
func (c *Catalog) IsContextType(t string) bool { return t == Global || c.types[t] }

// SelfPermissions are held implicitly by every active user in user:<name> (R9).
func (c *Catalog) SelfPermissions() []string { return c.selfPerm }

// SelfContextType is the context type of the self permission.
const SelfContextType = "user"

// Allows reports whether perm allows context type t (global is always allowed
// for a known permission).
func (c *Catalog) Allows(perm, t string) bool { return c.allowed[perm][t] }

// AllowedContexts lists the context types perm allows, global first.
func (c *Catalog) AllowedContexts(perm string) []string {
	set := c.allowed[perm]
	if set == nil {
		return nil
	}
	out := []string{Global}
	for _, t := range c.file.ContextTypes {
		if set[t] {
			out = append(out, t)
		}
	}
	return out
}

// CheckPermission returns ErrUnknownPermission (wrapped, naming perm) when perm
// is not in the tree.
func (c *Catalog) CheckPermission(perm string) error {
	if !c.Known(perm) {
		return fmt.Errorf("%w: permission named %q not found", ErrUnknownPermission, perm)
	}
	return nil
}

// ParseContext parses and validates a context against the catalog's types.
// An empty string is global.
func (c *Catalog) ParseContext(s string) (Context, error) {
	ctx, err := ParseContext(s)
	if err != nil {
		return Context{}, err
	}
	if !c.IsContextType(ctx.Type) {
		return Context{}, fmt.Errorf("%w: unknown context type %q in %q", ErrInvalidContext, ctx.Type, s)
	}
	return ctx, nil
}

// CheckContextAllowed returns ErrContextNotAllowed (wrapped) when perm does not
// allow ctx's type.
func (c *Catalog) CheckContextAllowed(perm string, ctx Context) error {
	if !c.Allows(perm, ctx.Type) {
		return fmt.Errorf("%w: permission %q does not allow context %q (allowed: %s)",
			ErrContextNotAllowed, perm, ctx, strings.Join(c.AllowedContexts(perm), ", "))
	}
	return nil
}

// Covers reports whether a holding of permission held matches a check of perm:
// held is perm, an ancestor of perm, or the root (R6).
func Covers(held, perm string) bool {
	return held == perm || held == Root || (len(perm) > len(held) && perm[len(held)] == '.' && strings.HasPrefix(perm, held))
}

// Ancestors returns perm, its ancestors from the nearest up, and the root.
func Ancestors(perm string) []string {
	if perm == Root {
		return []string{Root}
	}
	out := []string{perm}
	for p := parent(perm); p != ""; p = parent(p) {
		out = append(out, p)
	}
	return append(out, Root)
}

func parent(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}

func validPermissionSyntax(name string) error {
	if name == Root {
		return nil
	}
	if name == "" {
		return errors.New("empty permission name")
	}
	for _, seg := range strings.Split(name, ".") {
		if seg == "" {
			return fmt.Errorf("permission name %q has an empty segment", name)
		}
		if err := noSpaceOrControl(seg); err != nil {
			return fmt.Errorf("permission name %q: %v", name, err)
		}
	}
	return nil
}
