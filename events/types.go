package events

// Payload is the data of one event type at its current version.
type Payload interface{ EventType() string }

// Event type strings. They are part of the log's format: never rename one.
const (
	TypeCatalogRecorded         = "catalog.recorded"
	TypeUserCreated             = "user.created"
	TypeUserApproved            = "user.approved"
	TypeUserDeleted             = "user.deleted"
	TypeUserAdminSet            = "user.admin_set"
	TypeTeamCreated             = "team.created"
	TypeRoleCreated             = "role.created"
	TypeRoleRemoved             = "role.removed"
	TypeRolePermissionsAdded    = "role.permissions_added"
	TypeRolePermissionsRemoved  = "role.permissions_removed"
	TypeRoleAssigned            = "role.assigned"
	TypeRoleDissociated         = "role.dissociated"
	TypeRoleDefaultAdded        = "role.default_added"
	TypeRoleDefaultRemoved      = "role.default_removed"
	TypePermissionGranted       = "permission.granted"
	TypePermissionRevoked       = "permission.revoked"
	TypePermissionReset         = "permission.reset"
	TypeTokenIssued             = "token.issued"
	TypeTokensRevoked           = "tokens.revoked"
	TypeTokensRevokedAll        = "tokens.revoked_all"
	TypeRegistrationModeSet     = "registration.mode_set"
	TypeRegistrationTokenIssued = "registration_token.issued"
	TypeRegistrationTokenSpent  = "registration_token.spent"
	TypeMigrationStepApplied    = "migration.step_applied"
)

// CatalogRecorded records the catalog in force from this point of the log on.
type CatalogRecorded struct {
	Catalog []byte `json:"catalog"` // the catalog's JSON (catalog.File)
}

// User status values.
const (
	StatusActive  = "active"
	StatusPending = "pending"
)

// UserCreated creates a user. PasswordHash is a bcrypt hash, or empty for a
// user that cannot log in (a migrated user without one).
type UserCreated struct {
	User         string `json:"user"`
	PasswordHash string `json:"password_hash,omitempty"`
	Status       string `json:"status"`
	Admin        bool   `json:"admin,omitempty"`
}

// UserApproved moves a pending user to active.
type UserApproved struct {
	User string `json:"user"`
}

// UserDeleted removes a user with its tokens, assignments and overrides.
type UserDeleted struct {
	User string `json:"user"`
}

// UserAdminSet sets or clears the admin flag.
type UserAdminSet struct {
	User  string `json:"user"`
	Admin bool   `json:"admin"`
}

// TeamCreated creates a team.
type TeamCreated struct {
	Team string `json:"team"`
}

// RoleCreated creates a role. Context is global or a catalog context type.
type RoleCreated struct {
	Role        string `json:"role"`
	Context     string `json:"context"`
	Description string `json:"description,omitempty"`
	Unlimited   bool   `json:"unlimited,omitempty"`
}

// RoleRemoved removes a role and its event-default registrations.
type RoleRemoved struct {
	Role string `json:"role"`
}

// RolePermissionsAdded adds permissions to a role (only ones it lacked).
type RolePermissionsAdded struct {
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

// RolePermissionsRemoved removes exact permission names from a role.
type RolePermissionsRemoved struct {
	Role        string   `json:"role"`
	Permissions []string `json:"permissions"`
}

// RoleAssigned assigns (role, value) to a user; Value is "" for a global role.
type RoleAssigned struct {
	Role  string `json:"role"`
	User  string `json:"user"`
	Value string `json:"value,omitempty"`
}

// RoleDissociated removes exactly (role, value) from a user.
type RoleDissociated struct {
	Role  string `json:"role"`
	User  string `json:"user"`
	Value string `json:"value,omitempty"`
}

// Role default events.
const (
	DefaultOnUserCreate = "user-create"
	DefaultOnTeamCreate = "team-create"
)

// RoleDefaultAdded registers a role as a default on user-create or team-create.
type RoleDefaultAdded struct {
	Role  string `json:"role"`
	Event string `json:"event"`
}

// RoleDefaultRemoved unregisters a role default.
type RoleDefaultRemoved struct {
	Role  string `json:"role"`
	Event string `json:"event"`
}

// PermissionGranted sets an allow override at (user, permission, context).
type PermissionGranted struct {
	User       string `json:"user"`
	Permission string `json:"permission"`
	Context    string `json:"context"`
}

// PermissionRevoked sets a deny override at (user, permission, context).
type PermissionRevoked struct {
	User       string `json:"user"`
	Permission string `json:"permission"`
	Context    string `json:"context"`
}

// PermissionReset removes the override at (user, permission, context).
type PermissionReset struct {
	User       string `json:"user"`
	Permission string `json:"permission"`
	Context    string `json:"context"`
}

// TokenIssued issues a token to a user. Only the token's hash is recorded.
type TokenIssued struct {
	User      string `json:"user"`
	TokenHash string `json:"token_hash"`
}

// TokensRevoked revokes every token of one user.
type TokensRevoked struct {
	User string `json:"user"`
}

// TokensRevokedAll revokes every token of every user.
type TokensRevokedAll struct{}

// Registration modes.
const (
	ModeEnabled   = "enabled"
	ModeAdminOnly = "admin_only"
	ModeDisabled  = "disabled"
)

// RegistrationModeSet sets the registration mode and the approval switch.
type RegistrationModeSet struct {
	Mode     string `json:"mode"`
	Approval bool   `json:"approval"`
}

// RegistrationTokenIssued issues a single-use registration token (hash only).
type RegistrationTokenIssued struct {
	TokenHash string `json:"token_hash"`
	User      string `json:"user,omitempty"`
	ExpiresAt int64  `json:"expires_at"` // unix seconds
}

// RegistrationTokenSpent spends a registration token.
type RegistrationTokenSpent struct {
	TokenHash string `json:"token_hash"`
	User      string `json:"user"`
}

// MigrationStepApplied marks one step of a migration run as done, so that a
// re-run of the same run appends nothing even when the step changed nothing.
type MigrationStepApplied struct {
	RunID string `json:"run_id"`
	Step  int    `json:"step"`
	Steps int    `json:"steps"`
}

func (CatalogRecorded) EventType() string         { return TypeCatalogRecorded }
func (UserCreated) EventType() string             { return TypeUserCreated }
func (UserApproved) EventType() string            { return TypeUserApproved }
func (UserDeleted) EventType() string             { return TypeUserDeleted }
func (UserAdminSet) EventType() string            { return TypeUserAdminSet }
func (TeamCreated) EventType() string             { return TypeTeamCreated }
func (RoleCreated) EventType() string             { return TypeRoleCreated }
func (RoleRemoved) EventType() string             { return TypeRoleRemoved }
func (RolePermissionsAdded) EventType() string    { return TypeRolePermissionsAdded }
func (RolePermissionsRemoved) EventType() string  { return TypeRolePermissionsRemoved }
func (RoleAssigned) EventType() string            { return TypeRoleAssigned }
func (RoleDissociated) EventType() string         { return TypeRoleDissociated }
func (RoleDefaultAdded) EventType() string        { return TypeRoleDefaultAdded }
func (RoleDefaultRemoved) EventType() string      { return TypeRoleDefaultRemoved }
func (PermissionGranted) EventType() string       { return TypePermissionGranted }
func (PermissionRevoked) EventType() string       { return TypePermissionRevoked }
func (PermissionReset) EventType() string         { return TypePermissionReset }
func (TokenIssued) EventType() string             { return TypeTokenIssued }
func (TokensRevoked) EventType() string           { return TypeTokensRevoked }
func (TokensRevokedAll) EventType() string        { return TypeTokensRevokedAll }
func (RegistrationModeSet) EventType() string     { return TypeRegistrationModeSet }
func (RegistrationTokenIssued) EventType() string { return TypeRegistrationTokenIssued }
func (RegistrationTokenSpent) EventType() string  { return TypeRegistrationTokenSpent }
func (MigrationStepApplied) EventType() string    { return TypeMigrationStepApplied }
