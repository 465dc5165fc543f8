package conformance

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/permledger/permledger/api"
)

// commands are the command names of SEMANTICS.md section 3.
var commands = setOf("root-user-create", "user-register", "user-create", "user-approve",
	"user-delete", "admin-set", "team-create", "role-add", "role-remove",
	"role-permission-add", "role-permission-remove", "role-assign", "role-dissociate",
	"grant", "revoke", "reset", "role-default-add", "role-default-remove",
	"token-regenerate", "login", "registration-mode-set", "registration-token-issue", "migrate")

// errorCodes are the codes of SEMANTICS.md section 3.
var errorCodes = setOf(api.CodeUnauthenticated, api.CodeInvalidArgument, api.CodeForbidden,
	api.CodeNotFound, api.CodeAlreadyExists, api.CodeFailedPrecondition, api.CodeConflict,
	api.CodeUnavailable, api.CodeInternal)

var checkRules = setOf("R1", "R2", "R3", "R4", "R5")

// nameRE is the syntax of a saved token's name, as `$name` refers to it.
var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// parser holds what earlier steps defined, so a later step can only refer
// to a saved token or a mark that exists by then.
type parser struct {
	tokens map[string]bool
	marks  map[string]bool
}

// Parse reads one scenario file (FORMAT.md). It is strict: unknown keys at
// any level except inside a command's args, a step without exactly one of
// do/check/authenticate, contradictory expectations, unknown commands, error
// codes or rules, and references to tokens or marks not defined by an
// earlier step are errors naming file and step.
func Parse(file string, data []byte) (*Scenario, error) {
	if err := syntaxError(file, data); err != nil {
		return nil, err
	}
	top, err := decodeObject(data, "name", "rules", "steps")
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	sc := &Scenario{File: file, Name: top.str("name"), Rules: top.strs("rules")}
	var steps []json.RawMessage
	top.get("steps", &steps, "a list of steps")
	switch {
	case top.err != nil:
		return nil, fmt.Errorf("%s: %v", file, top.err)
	case strings.TrimSpace(sc.Name) == "":
		return nil, fmt.Errorf("%s: \"name\" is missing or empty", file)
	case len(steps) == 0:
		return nil, fmt.Errorf("%s: \"steps\" is missing or empty", file)
	}
	p := &parser{tokens: map[string]bool{}, marks: map[string]bool{}}
	for i, raw := range steps {
		st, err := p.step(i+1, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: step %d: %v", file, i+1, err)
		}
		sc.Steps = append(sc.Steps, st)
	}
	return sc, nil
}

// stepKeys are the keys a step may have, by kind.
var stepKeys = map[string][]string{
	"do":           {"do", "as", "token", "args", "expect_error", "save_token", "expect_events", "mark"},
	"check":        {"check", "expect", "expect_rule", "expect_error", "at"},
	"authenticate": {"authenticate", "expect", "expect_error"},
}

// allStepKeys is the union of stepKeys, in a stable order.
var allStepKeys = []string{"do", "check", "authenticate", "as", "token", "args",
	"expect", "expect_rule", "expect_error", "expect_events", "save_token", "mark", "at"}

func (p *parser) step(n int, raw json.RawMessage) (Step, error) {
	o, err := decodeObject(raw, allStepKeys...)
	if err != nil {
		return Step{}, err
	}
	kinds := o.present("do", "check", "authenticate")
	if len(kinds) != 1 {
		return Step{}, fmt.Errorf("a step needs exactly one of \"do\", \"check\", \"authenticate\"; it has %s", listOrNone(kinds))
	}
	for _, k := range sortedKeys(o.m) {
		if !slices.Contains(stepKeys[kinds[0]], k) {
			return Step{}, fmt.Errorf("key %q does not belong in %s step", k, article(kinds[0]))
		}
	}
	st := Step{Num: n}
	switch kinds[0] {
	case "do":
		st.Do, err = p.doStep(o)
	case "check":
		st.Check, err = p.checkStep(o)
	default:
		st.Authenticate, err = p.authStep(o)
	}
	return st, err
}

// article prefixes a step kind with "a" or "an".
func article(kind string) string {
	if kind == "authenticate" {
		return "an " + kind
	}
	return "a " + kind
}

func listOrNone(keys []string) string {
	if len(keys) == 0 {
		return "none"
	}
	return fmt.Sprintf("%q", keys)
}
