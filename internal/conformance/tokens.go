package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// substitute returns raw with every string value that is exactly `$name`
// (name as nameRE) replaced by lookup(name). Other strings, such as a bcrypt
// hash "$2a$10$...", and object keys are left alone; raw is returned as it is
// when nothing matched.
func substitute(raw json.RawMessage, lookup func(name string) (string, error)) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	changed := false
	v, err := walkStrings(v, lookup, &changed)
	if err != nil || !changed {
		return raw, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), nil
}

func walkStrings(v any, lookup func(string) (string, error), changed *bool) (any, error) {
	var err error
	switch x := v.(type) {
	case string:
		if len(x) > 1 && x[0] == '$' && nameRE.MatchString(x[1:]) {
			*changed = true
			return lookup(x[1:])
		}
	case []any:
		for i := range x {
			if x[i], err = walkStrings(x[i], lookup, changed); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if x[k], err = walkStrings(x[k], lookup, changed); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// account is what the runner knows of one user.
type account struct {
	password string // the password of the step that created the user
	known    bool   // password is known (false: created by a migration)
	token    string // the most recent token seen issued to the user
	deleted  bool   // a user-delete succeeded; token is stale
}

// credentials is the runner's memory of users, tokens and saved names.
type credentials struct {
	users map[string]*account
	owner map[string]string // token -> the user it was issued to
	saved map[string]string // save_token name -> token
}

func newCredentials() *credentials {
	return &credentials{users: map[string]*account{}, owner: map[string]string{}, saved: map[string]string{}}
}

// fresh reports whether user is unknown or deleted, so that a step creating
// it starts a new account.
func (c *credentials) fresh(user string) bool {
	a := c.users[user]
	return a == nil || a.deleted
}

// created records a successful creating step. A live user the runner
// already knows keeps its password: re-running root-user-create never
// changes it. A deleted user's name starts over with this password.
func (c *credentials) created(user, password string) {
	if c.fresh(user) {
		c.users[user] = &account{password: password, known: true}
	}
}

// existsWithoutPassword records a user a migration created: the runner
// cannot log in as it.
func (c *credentials) existsWithoutPassword(user string) {
	if c.fresh(user) {
		c.users[user] = &account{}
	}
}

// deleted marks user deleted. Its last token stays in use (the ledger
// answers unauthenticated, as for any revoked token) until a step creates
// the name again; then the runner logs in with the new password.
func (c *credentials) deleted(user string) {
	if a := c.users[user]; a != nil {
		a.deleted = true
	}
}

// issued records a token issued to user.
func (c *credentials) issued(user, token string) {
	if user == "" || token == "" {
		return
	}
	c.existsWithoutPassword(user)
	c.users[user].token = token
	c.owner[token] = user
}

func (c *credentials) savedToken(name string) (string, error) {
	t, ok := c.saved[name]
	if !ok {
		return "", fmt.Errorf("no token was saved under the name %q", name)
	}
	return t, nil
}
