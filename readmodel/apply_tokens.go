package readmodel

import (
	"encoding/binary"

	"github.com/permledger/permledger/events"
)

func (t *tx) tokenEvent(p events.Payload) error {
	switch e := p.(type) {
	case events.TokenIssued:
		u, err := t.user(e.User)
		if err != nil || u == nil {
			return err
		}
		t.changedTokens = append(t.changedTokens, e.TokenHash)
		if err := t.setJSON(key(pToken, e.TokenHash), Token{User: e.User, Prov: t.prov}); err != nil {
			return err
		}
		t.touch(e.User, u) // marks the user's history
		return t.b.Set(key(pUserToken, e.User, e.TokenHash), nil, nil)
	case events.TokensRevoked:
		u, err := t.user(e.User)
		if err != nil || u == nil {
			return err
		}
		t.touch(e.User, u)
		return t.revokeTokens(e.User)
	case events.TokensRevokedAll:
		if err := t.b.Set(binary.BigEndian.AppendUint64(append([]byte{}, pGlobal...), t.seq), nil, nil); err != nil {
			return err
		}
		t.allTokensChanged = true
		if err := t.b.DeleteRange(pToken, prefixEnd(pToken), nil); err != nil {
			return err
		}
		return t.b.DeleteRange(pUserToken, prefixEnd(pUserToken), nil)
	}
	return nil
}

// revokeTokens deletes every live token of user.
func (t *tx) revokeTokens(user string) error {
	lower, upper := nameScope(pUserToken, user)
	var hashes []string
	err := scanRange(t.b, lower, upper, func(k, _ []byte) error {
		hashes = append(hashes, string(k[len(lower):]))
		return nil
	})
	if err != nil {
		return err
	}
	t.changedTokens = append(t.changedTokens, hashes...)
	for _, h := range hashes {
		if err := t.b.Delete(key(pToken, h), nil); err != nil {
			return err
		}
		if err := t.b.Delete(key(pUserToken, user, h), nil); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) regTokenEvent(p events.Payload) error {
	switch e := p.(type) {
	case events.RegistrationTokenIssued:
		return t.setJSON(key(pRegToken, e.TokenHash), RegToken{User: e.User, ExpiresAt: e.ExpiresAt})
	case events.RegistrationTokenSpent:
		var rt RegToken
		found, err := getJSON(t.b, key(pRegToken, e.TokenHash), &rt)
		if err != nil || !found {
			return err
		}
		rt.Spent, rt.SpentBy = true, e.User
		return t.setJSON(key(pRegToken, e.TokenHash), rt)
	}
	return nil
}
