package conformance

import (
	"context"
	"fmt"

	"github.com/permledger/permledger/api"
)

func (r *runner) check(ctx context.Context, c *CheckStep) error {
	req, err := r.checkRequest(c)
	if err != nil {
		return err
	}
	reply, err := r.t.Check(ctx, req)
	if err == nil && reply.Error != nil {
		err = reply.Error
	}
	return verifyCheck(c, reply, err)
}

// checkRequest builds the query: the subject by name or by saved token, the
// point in time of a mark, and MinSeq so the answer reads the runner's own
// writes.
func (r *runner) checkRequest(c *CheckStep) (api.CheckRequest, error) {
	req := api.CheckRequest{User: c.User, Permission: c.Permission,
		Contexts: append([]string{}, c.Contexts...), MinSeq: r.minSeq}
	if c.Token != "" {
		t, err := r.creds.savedToken(c.Token)
		if err != nil {
			return req, err
		}
		req.Token = t
	}
	if c.At == "" {
		return req, nil
	}
	seq, ok := r.marks[c.At]
	switch {
	case !ok:
		return req, fmt.Errorf("no step marked %q", c.At)
	case seq == 0:
		return req, fmt.Errorf("mark %q is sequence 0 (the empty ledger), which a check cannot ask for: at_seq 0 means now", c.At)
	}
	req.AtSeq = seq
	return req, nil
}

// verifyCheck compares a check's answer with the step's expectations.
func verifyCheck(c *CheckStep, reply api.CheckReply, err error) error {
	if c.ExpectError != "" {
		switch {
		case err == nil:
			return fmt.Errorf("expected error %s, got %s", c.ExpectError, decision(reply.Allowed, reply.Rule))
		case api.CodeOf(err) != c.ExpectError:
			return fmt.Errorf("expected error %s, got %s", c.ExpectError, describeErr(err))
		}
		return nil
	}
	want := c.Expect
	if c.ExpectRule != "" {
		want += " by " + c.ExpectRule
	}
	if err != nil {
		return fmt.Errorf("expected %s, got %s", want, describeErr(err))
	}
	if reply.Allowed != (c.Expect == "allow") || (c.ExpectRule != "" && reply.Rule != c.ExpectRule) {
		return fmt.Errorf("expected %s, got %s", want, decision(reply.Allowed, reply.Rule))
	}
	return nil
}

// decision renders an answer: "allow by R4", "deny by R5", "deny (no rule)".
func decision(allowed bool, rule string) string {
	s := "deny"
	if allowed {
		s = "allow"
	}
	if rule == "" {
		return s + " (no rule)"
	}
	return s + " by " + rule
}

func (r *runner) authenticate(ctx context.Context, a *AuthenticateStep) error {
	token, err := r.creds.savedToken(a.Token)
	if err != nil {
		return err
	}
	user, err := r.t.Authenticate(ctx, token)
	switch {
	case a.ExpectError != "" && err == nil:
		return fmt.Errorf("expected error %s, got user %q", a.ExpectError, user)
	case a.ExpectError != "" && api.CodeOf(err) != a.ExpectError:
		return fmt.Errorf("expected error %s, got %s", a.ExpectError, describeErr(err))
	case a.ExpectError != "":
		return nil
	case err != nil:
		return fmt.Errorf("expected user %q, got %s", a.Expect, describeErr(err))
	case user != a.Expect:
		return fmt.Errorf("expected user %q, got user %q", a.Expect, user)
	}
	return nil
}
