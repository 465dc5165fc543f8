package readmodel

import (
	"crypto/sha256"
	"encoding/hex"
)

// HashToken is how a token is stored and looked up: SHA-256, hex. Tokens are
// at least 128 random bits, so a fast hash is enough; only the hash is ever
// stored, in events and in the read model. Looking a token up by its hash
// also means no comparison of secrets takes time that depends on them.
func HashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// Authenticate resolves a token to its active user, or nil (unknown,
// revoked, or the user deleted or pending).
func (v *View) Authenticate(token string) (*User, error) {
	if token == "" {
		return nil, nil
	}
	tok, err := v.Token(HashToken(token))
	if err != nil || tok == nil {
		return nil, err
	}
	u, err := v.User(tok.User)
	if err != nil || !u.Active() {
		return nil, err
	}
	return u, nil
}
