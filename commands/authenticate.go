package commands

import (
	"github.com/permledger/permledger/readmodel"
)

// authenticate resolves the request's token to its active user, following
// the command's Auth (step 1 of the error order).
func (x *execution) authenticate(st State) (*readmodel.User, error) {
	auth := AuthRequired
	if x.cmd != nil {
		auth = x.cmd.Auth()
	}
	if auth == AuthNone || (auth == AuthOptional && x.req.Token == "") {
		return nil, nil
	}
	if x.req.Token == "" {
		return nil, errUnauthenticated
	}
	return Authenticate(st, x.req.Token)
}

// Authenticate resolves a token to its active user, or ErrUnauthenticated.
func Authenticate(st State, token string) (*readmodel.User, error) {
	u, err := st.Authenticate(token)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, errUnauthenticated
	}
	return u, nil
}
