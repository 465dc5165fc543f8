package conformance

import (
	"encoding/json"
	"fmt"
)

func (p *parser) doStep(o *object) (*DoStep, error) {
	d := &DoStep{Command: o.str("do"), As: o.str("as"), Token: o.str("token"),
		ExpectError: o.str("expect_error"), SaveToken: o.str("save_token"), Mark: o.str("mark")}
	var events int
	o.get("expect_events", &events, "the number 0")
	switch {
	case o.err != nil:
		return nil, o.err
	case !commands[d.Command]:
		return nil, fmt.Errorf("\"do\": unknown command %q", d.Command)
	case o.has("expect_events") && events != 0:
		return nil, fmt.Errorf("\"expect_events\": only 0 is allowed, got %d", events)
	case d.SaveToken != "" && d.ExpectError != "":
		return nil, fmt.Errorf("\"save_token\" %q with \"expect_error\": a failing command returns no token", d.SaveToken)
	}
	d.NoEvents = o.has("expect_events")
	if err := p.actor(o, d); err != nil {
		return nil, err
	}
	if err := p.doExpectations(o, d); err != nil {
		return nil, err
	}
	args, err := p.args(d.Command, o.raw("args"))
	if err != nil {
		return nil, err
	}
	d.Args = args
	p.define(d.SaveToken, d.Mark)
	return d, nil
}

// actor validates "as" and "token".
func (p *parser) actor(o *object, d *DoStep) error {
	switch {
	case o.has("as") && o.has("token"):
		return fmt.Errorf("\"as\" %q and \"token\" %q are exclusive", d.As, d.Token)
	case d.Command == "root-user-create" && (o.has("as") || o.has("token")):
		return fmt.Errorf("root-user-create is a local operator command: it takes no \"as\" or \"token\"")
	case o.has("as") && d.As == "":
		return fmt.Errorf("\"as\" is empty")
	case o.has("token"):
		return p.tokenRef("token", d.Token)
	}
	return nil
}

// doExpectations validates expect_error, save_token and mark.
func (p *parser) doExpectations(o *object, d *DoStep) error {
	if err := validCode(o, d.ExpectError); err != nil {
		return err
	}
	if o.has("save_token") && !nameRE.MatchString(d.SaveToken) {
		return fmt.Errorf("\"save_token\": %q is not a name (a letter, then letters, digits, - or _)", d.SaveToken)
	}
	if o.has("mark") && d.Mark == "" {
		return fmt.Errorf("\"mark\" is empty")
	}
	if p.marks[d.Mark] {
		return fmt.Errorf("\"mark\": %q is already defined by an earlier step", d.Mark)
	}
	return nil
}

func validCode(o *object, code string) error {
	if o.has("expect_error") && !errorCodes[code] {
		return fmt.Errorf("\"expect_error\": unknown error code %q", code)
	}
	return nil
}

// define records the token and mark a step defines.
func (p *parser) define(token, mark string) {
	if token != "" {
		p.tokens[token] = true
	}
	if mark != "" {
		p.marks[mark] = true
	}
}

// tokenRef checks that name was saved by an earlier step.
func (p *parser) tokenRef(key, name string) error {
	if !p.tokens[name] {
		return fmt.Errorf("%q: no earlier step saved a token named %q", key, name)
	}
	return nil
}

// args validates a command's args: a JSON object ({} when absent) whose
// `$name` strings all name tokens saved earlier. root-user-create's args are
// read by the runner itself, so they are strict: user and password.
func (p *parser) args(command string, raw json.RawMessage) (json.RawMessage, error) {
	if raw == nil {
		raw = json.RawMessage(`{}`)
	}
	if k := kindOf(raw); k != "an object" {
		return nil, fmt.Errorf("\"args\": want an object, got %s", k)
	}
	if command == "root-user-create" {
		if err := rootArgs(raw); err != nil {
			return nil, fmt.Errorf("\"args\": %v", err)
		}
	}
	_, err := substitute(raw, func(name string) (string, error) {
		if !p.tokens[name] {
			return "", fmt.Errorf("\"args\": \"$%s\" names no token saved by an earlier step", name)
		}
		return "", nil
	})
	return raw, err
}

// rootArgs checks root-user-create's args: exactly a string user and a
// string password.
func rootArgs(raw json.RawMessage) error {
	o, err := decodeObject(raw, "user", "password")
	if err != nil {
		return err
	}
	if got := o.present("user", "password"); len(got) != 2 {
		return fmt.Errorf("root-user-create needs \"user\" and \"password\"")
	}
	o.str("user")
	o.str("password")
	return o.err
}
