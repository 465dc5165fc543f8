package conformance

import (
	"context"
	"encoding/json"
	"fmt"
)

// actor returns the token a command step is submitted with and the user it
// acts as ("" when unknown or none).
func (r *runner) actor(ctx context.Context, d *DoStep) (token, user string, err error) {
	switch {
	case d.Token != "":
		token, err = r.creds.savedToken(d.Token)
		return token, r.creds.owner[token], err
	case d.As != "":
		token, err = r.tokenFor(ctx, d.As)
		return token, d.As, err
	}
	return "", "", nil
}

// tokenFor returns the most recent token seen issued to user, logging in
// with the password of the step that created it when none was seen. A
// revoked token is not refreshed: the ledger answers unauthenticated.
func (r *runner) tokenFor(ctx context.Context, user string) (string, error) {
	acct := r.creds.users[user]
	if acct != nil && acct.token != "" {
		return acct.token, nil
	}
	if acct == nil || !acct.known {
		return "", fmt.Errorf("acting as %s: no token seen for it and no password to log in with (no successful earlier step created it with one)", user)
	}
	return r.login(ctx, user, acct.password)
}

// login is the runner's own login, not a scenario step.
func (r *runner) login(ctx context.Context, user, password string) (string, error) {
	args, err := json.Marshal(map[string]string{"user": user, "password": password})
	if err != nil {
		return "", err
	}
	reply, err := r.submit(ctx, "login", "", args)
	if err != nil {
		return "", fmt.Errorf("acting as %s: the runner's own login (not a step) failed: %s", user, describeErr(err))
	}
	if reply.Token == "" {
		return "", fmt.Errorf("acting as %s: the runner's own login (not a step) returned no token", user)
	}
	r.seen(reply.Seq)
	r.creds.issued(user, reply.Token)
	return reply.Token, nil
}
