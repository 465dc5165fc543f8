package commands

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/permledger/permledger/readmodel"
)

// Secret is a token in plaintext (shown once) and its hash (stored).
type Secret struct {
	Plain string
	Hash  string
}

// LogValue keeps the plaintext out of logs.
func (s Secret) String() string { return "Secret(" + s.Hash[:min(8, len(s.Hash))] + "…)" }

// NewSecret mints a random token of 256 bits.
func NewSecret() (Secret, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Secret{}, fmt.Errorf("minting a token: %w", err)
	}
	plain := "pl_" + base64.RawURLEncoding.EncodeToString(b)
	return Secret{Plain: plain, Hash: HashToken(plain)}, nil
}

// HashToken is how a token is stored and looked up (readmodel.HashToken).
func HashToken(plain string) string { return readmodel.HashToken(plain) }

// MinPassword and MaxPassword bound a password in bytes (bcrypt's limit).
const (
	MinPassword = 1
	MaxPassword = 72
)

func validatePassword(pw string) error {
	if n := len(pw); n < MinPassword || n > MaxPassword {
		return invalid("password is %d bytes; it must be 1-72 bytes", n)
	}
	return nil
}

// Hasher hashes and compares passwords with bcrypt at a configured cost.
type Hasher struct{ Cost int }

// Hash hashes a password.
func (h Hasher) Hash(pw string) (string, error) {
	cost := h.Cost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", fmt.Errorf("hashing a password: %w", err)
	}
	return string(b), nil
}

// passwordMatches compares in constant time (bcrypt's own comparison).
func passwordMatches(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
