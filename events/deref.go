package events

// deref turns the pointer the decoder filled into the value type, so that
// consumers switch on values (case events.RoleAssigned:).
func deref(p Payload) Payload {
	switch v := p.(type) {
	case *CatalogRecorded:
		return *v
	case *UserCreated:
		return *v
	case *UserApproved:
		return *v
	case *UserDeleted:
		return *v
	case *UserAdminSet:
		return *v
	case *TeamCreated:
		return *v
	case *RoleCreated:
		return *v
	case *RoleRemoved:
		return *v
	case *RolePermissionsAdded:
		return *v
	case *RolePermissionsRemoved:
		return *v
	case *RoleAssigned:
		return *v
	case *RoleDissociated:
		return *v
	case *RoleDefaultAdded:
		return *v
	case *RoleDefaultRemoved:
		return *v
	case *PermissionGranted:
		return *v
	case *PermissionRevoked:
		return *v
	case *PermissionReset:
		return *v
	case *TokenIssued:
		return *v
	case *TokensRevoked:
		return *v
	case *TokensRevokedAll:
		return *v
	case *RegistrationModeSet:
		return *v
	case *RegistrationTokenIssued:
		return *v
	case *RegistrationTokenSpent:
		return *v
	case *MigrationStepApplied:
		return *v
	}
	return p
}
