package api

import "encoding/json"

// The query subjects beyond check, explain, authenticate and last-seq. Each
// request carries the actor's Token (any valid token unless said otherwise).
const (
	// SubjectBatchCheck answers many checks, in order (BatchCheckRequest).
	SubjectBatchCheck = "permledger.q.check-batch"
	// SubjectRoleList lists every role (ListRequest).
	SubjectRoleList = "permledger.q.role-list"
	// SubjectRoleInfo describes one role (RoleInfoRequest).
	SubjectRoleInfo = "permledger.q.role-info"
	// SubjectPermissionList lists the permission tree (ListRequest).
	SubjectPermissionList = "permledger.q.permission-list"
	// SubjectUserList lists users; admin only (UserListRequest).
	SubjectUserList = "permledger.q.user-list"
	// SubjectPermsView shows what a user holds (UserRequest); the actor
	// must pass check user.read in user:USER (itself, an admin, or a grant).
	SubjectPermsView = "permledger.q.perms-view"
	// SubjectHistory lists what changed a user (HistoryRequest); the actor
	// must pass check user.read.events in user:USER.
	SubjectHistory = "permledger.q.history"
)

// MaxBatchChecks bounds the checks of one batch.
const MaxBatchChecks = 1000

// BatchCheckRequest asks many checks at once. MinSeq applies to all (and
// raises each check's own).
type BatchCheckRequest struct {
	Checks []CheckRequest `json:"checks"`
	MinSeq uint64         `json:"min_seq,omitempty"`
}

// BatchCheckReply answers the checks in request order; a check that failed
// carries its own error and does not fail the others.
type BatchCheckReply struct {
	Results []CheckReply `json:"results"`
	Error   *Error       `json:"error,omitempty"`
}

// ListRequest is the request of the list queries that take no argument.
type ListRequest struct {
	Token  string `json:"token"`
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// RoleInfoRequest names one role.
type RoleInfoRequest struct {
	Token  string `json:"token"`
	Role   string `json:"role"`
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// UserListRequest pages through users by name: After is the last name of
// the previous page ("" first), Limit the page size (0: 1000, at most 1000).
type UserListRequest struct {
	Token  string `json:"token"`
	After  string `json:"after,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// UserRequest names one user (perms-view).
type UserRequest struct {
	Token  string `json:"token"`
	User   string `json:"user"`
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// HistoryRequest asks a user's history between two points, both inclusive:
// a sequence (FromSeq, ToSeq) or an RFC 3339 time (FromTime, ToTime), not
// both for one end; none: from the first event, to the last applied.
type HistoryRequest struct {
	Token    string `json:"token"`
	User     string `json:"user"`
	FromSeq  uint64 `json:"from_seq,omitempty"`
	ToSeq    uint64 `json:"to_seq,omitempty"`
	FromTime string `json:"from_time,omitempty"`
	ToTime   string `json:"to_time,omitempty"`
	MinSeq   uint64 `json:"min_seq,omitempty"`
}

// Prov names the event that created something: its log sequence, time
// (RFC 3339), actor and command id (and migration run id).
type Prov struct {
	Seq       uint64 `json:"seq"`
	Time      string `json:"time,omitempty"`
	Actor     string `json:"actor,omitempty"`
	CommandID string `json:"command_id,omitempty"`
	RunID     string `json:"run_id,omitempty"`
}

// RolePermission is one permission of a role and the event that added it.
type RolePermission struct {
	Permission string `json:"permission"`
	Added      Prov   `json:"added"`
}

// Role describes a role.
type Role struct {
	Name        string           `json:"name"`
	Context     string           `json:"context"`
	Description string           `json:"description,omitempty"`
	Unlimited   bool             `json:"unlimited,omitempty"`
	Permissions []RolePermission `json:"permissions"`
	// Defaults are the events the role is given on (user-create, team-create).
	Defaults []string `json:"defaults,omitempty"`
	Created  Prov     `json:"created"`
}

// RoleListReply lists roles by name.
type RoleListReply struct {
	Roles []Role `json:"roles"`
	Seq   uint64 `json:"seq"`
	Error *Error `json:"error,omitempty"`
}

// RoleInfoReply describes one role.
type RoleInfoReply struct {
	Role  *Role  `json:"role,omitempty"`
	Seq   uint64 `json:"seq"`
	Error *Error `json:"error,omitempty"`
}

// Permission is one permission of the catalog and the context types it
// may be held in (global first).
type Permission struct {
	Name     string   `json:"name"`
	Contexts []string `json:"contexts"`
}

// PermissionListReply lists the catalog in force, sorted by name.
type PermissionListReply struct {
	Permissions  []Permission `json:"permissions"`
	ContextTypes []string     `json:"context_types"`
	Seq          uint64       `json:"seq"`
	Error        *Error       `json:"error,omitempty"`
}

// Holding is a (role, value) a user holds.
type Holding struct {
	Role  string `json:"role"`
	Value string `json:"value,omitempty"`
}

// UserSummary is one user of user-list.
type UserSummary struct {
	Name   string    `json:"name"`
	Status string    `json:"status"` // active or pending
	Admin  bool      `json:"admin,omitempty"`
	Roles  []Holding `json:"roles"`
}

// UserListReply is one page of users; Next, when set, is the After of the
// next page.
type UserListReply struct {
	Users []UserSummary `json:"users"`
	Next  string        `json:"next,omitempty"`
	Seq   uint64        `json:"seq"`
	Error *Error        `json:"error,omitempty"`
}

// HeldRole is a role a user holds, in the context it gives its permissions.
type HeldRole struct {
	Role        string   `json:"role"`
	Value       string   `json:"value,omitempty"`
	Context     string   `json:"context"` // global or TYPE:VALUE
	Unlimited   bool     `json:"unlimited,omitempty"`
	Permissions []string `json:"permissions"`
	// Missing: the role was removed; the assignment gives nothing.
	Missing bool `json:"missing,omitempty"`
	Granted Prov `json:"granted"`
}

// Override is an explicit allow (grant) or deny (revoke).
type Override struct {
	Permission string `json:"permission"`
	Context    string `json:"context"`
	Effect     string `json:"effect"` // allow or deny
	Set        Prov   `json:"set"`
}

// PermsViewReply is what a user holds: the admin flag, roles with their
// permissions, overrides, and the permissions of the default role that
// every active user holds implicitly.
type PermsViewReply struct {
	User      string     `json:"user"`
	Status    string     `json:"status"`
	Admin     bool       `json:"admin,omitempty"`
	Roles     []HeldRole `json:"roles"`
	Overrides []Override `json:"overrides"`
	Default   []string   `json:"default,omitempty"`
	Seq       uint64     `json:"seq"`
	Error     *Error     `json:"error,omitempty"`
}

// HistoryEntry is one event that changed a user. Via names the role when
// the change came through an edit of a role the user held.
type HistoryEntry struct {
	Seq       uint64          `json:"seq"`
	Time      string          `json:"time"`
	Actor     string          `json:"actor,omitempty"`
	CommandID string          `json:"command_id,omitempty"`
	RunID     string          `json:"run_id,omitempty"`
	Type      string          `json:"type"`
	Via       string          `json:"via,omitempty"`
	Data      json.RawMessage `json:"data"`
}

// HistoryReply lists a user's history in log order.
type HistoryReply struct {
	User    string         `json:"user"`
	Entries []HistoryEntry `json:"entries"`
	Seq     uint64         `json:"seq"`
	Error   *Error         `json:"error,omitempty"`
}
