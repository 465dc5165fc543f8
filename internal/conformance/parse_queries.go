package conformance

import (
	"fmt"
)

func (p *parser) checkStep(o *object) (*CheckStep, error) {
	c := &CheckStep{Expect: o.str("expect"), ExpectRule: o.str("expect_rule"),
		ExpectError: o.str("expect_error"), At: o.str("at")}
	if o.err != nil {
		return nil, o.err
	}
	q, err := decodeObject(o.raw("check"), "user", "token", "permission", "contexts")
	if err != nil {
		return nil, fmt.Errorf("\"check\": %v", err)
	}
	c.User, c.Token, c.Permission = q.str("user"), q.str("token"), q.str("permission")
	c.Contexts = q.strs("contexts")
	if c.Contexts == nil {
		c.Contexts = []string{}
	}
	if err := p.checkSubject(q, c); err != nil {
		return nil, err
	}
	if err := checkExpectations(o, c); err != nil {
		return nil, err
	}
	if o.has("at") && !p.marks[c.At] {
		return nil, fmt.Errorf("\"at\": no earlier step marked %q", c.At)
	}
	return c, nil
}

// checkSubject validates the check object's user/token and permission.
func (p *parser) checkSubject(q *object, c *CheckStep) error {
	switch {
	case q.err != nil:
		return fmt.Errorf("\"check\": %v", q.err)
	case (c.User == "") == (c.Token == ""):
		return fmt.Errorf("\"check\" needs exactly one non-empty \"user\" or \"token\"")
	case !q.has("permission"):
		return fmt.Errorf("\"check\" needs \"permission\"")
	case c.Token != "":
		return p.tokenRef("check.token", c.Token)
	}
	return nil
}

// checkExpectations validates expect / expect_rule / expect_error.
func checkExpectations(o *object, c *CheckStep) error {
	if err := exactlyOneExpectation(o, "check"); err != nil {
		return err
	}
	switch {
	case o.has("expect") && c.Expect != "allow" && c.Expect != "deny":
		return fmt.Errorf("\"expect\": want \"allow\" or \"deny\", got %q", c.Expect)
	case o.has("expect_rule") && o.has("expect_error"):
		return fmt.Errorf("\"expect_rule\" %q with \"expect_error\": an error has no rule", c.ExpectRule)
	case o.has("expect_rule") && !checkRules[c.ExpectRule]:
		return fmt.Errorf("\"expect_rule\": want one of R1 to R5, got %q", c.ExpectRule)
	}
	return validCode(o, c.ExpectError)
}

func exactlyOneExpectation(o *object, kind string) error {
	got := o.present("expect", "expect_error")
	if len(got) != 1 {
		return fmt.Errorf("%s step needs exactly one of \"expect\", \"expect_error\"; it has %s", article(kind), listOrNone(got))
	}
	return nil
}

func (p *parser) authStep(o *object) (*AuthenticateStep, error) {
	a := &AuthenticateStep{Expect: o.str("expect"), ExpectError: o.str("expect_error")}
	if o.err != nil {
		return nil, o.err
	}
	q, err := decodeObject(o.raw("authenticate"), "token")
	if err != nil {
		return nil, fmt.Errorf("\"authenticate\": %v", err)
	}
	a.Token = q.str("token")
	switch {
	case q.err != nil:
		return nil, fmt.Errorf("\"authenticate\": %v", q.err)
	case !q.has("token"):
		return nil, fmt.Errorf("\"authenticate\" needs \"token\"")
	}
	if err := p.tokenRef("authenticate.token", a.Token); err != nil {
		return nil, err
	}
	if err := exactlyOneExpectation(o, "authenticate"); err != nil {
		return nil, err
	}
	if o.has("expect") && a.Expect == "" {
		return nil, fmt.Errorf("\"expect\" is empty: it names the user the token belongs to")
	}
	return a, validCode(o, a.ExpectError)
}
