package events

// UserOf names the user an event is about, or "" for an event about no one
// user (role edits, settings, the catalog, revocation of every token).
func UserOf(p Payload) string {
	switch e := p.(type) {
	case UserCreated:
		return e.User
	case UserApproved:
		return e.User
	case UserDeleted:
		return e.User
	case UserAdminSet:
		return e.User
	case RoleAssigned:
		return e.User
	case RoleDissociated:
		return e.User
	case PermissionGranted:
		return e.User
	case PermissionRevoked:
		return e.User
	case PermissionReset:
		return e.User
	case TokenIssued:
		return e.User
	case TokensRevoked:
		return e.User
	case RegistrationTokenSpent:
		return e.User
	}
	return ""
}
