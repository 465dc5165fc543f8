package migrate

import "strings"

// isBcrypt says whether h is a bcrypt hash the ledger can verify as it is.
func isBcrypt(h string) bool {
	return len(h) == 60 && (strings.HasPrefix(h, "$2a$") || strings.HasPrefix(h, "$2b$") || strings.HasPrefix(h, "$2y$"))
}

// carryHash returns the bcrypt hash inside a legacy password hash, and
// whether a non-empty legacy hash had to be dropped. A plain bcrypt hash
// (passlib's bcrypt) is carried as it is, and so is Django's "bcrypt$"
// wrapping of one (BCryptPasswordHasher). Every other scheme (Django's
// pbkdf2_sha256 and bcrypt_sha256, passlib's sha512_crypt "$6$" and
// pbkdf2) cannot be verified by the ledger and is dropped.
func carryHash(legacy string) (hash string, dropped bool) {
	switch {
	case legacy == "":
		return "", false
	case isBcrypt(legacy):
		return legacy, false
	case strings.HasPrefix(legacy, "bcrypt$") && isBcrypt(legacy[len("bcrypt$"):]):
		return legacy[len("bcrypt$"):], false
	}
	return "", true
}
