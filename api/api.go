package api

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Subject prefixes. A command NAME is submitted on CommandPrefix+NAME, e.g.
// permledger.cmd.role-assign; queries on the Query* subjects.
const (
	CommandPrefix       = "permledger.cmd."
	SubjectCheck        = "permledger.q.check"
	SubjectExplain      = "permledger.q.explain"
	SubjectAuthenticate = "permledger.q.authenticate"
	SubjectLastSeq      = "permledger.q.last-seq"
	// QueueGroup is the queue group every permledger instance serves in.
	QueueGroup = "permledger"
)

// Error codes (SEMANTICS.md section 3).
const (
	CodeUnauthenticated    = "unauthenticated"
	CodeInvalidArgument    = "invalid_argument"
	CodeForbidden          = "forbidden"
	CodeNotFound           = "not_found"
	CodeAlreadyExists      = "already_exists"
	CodeFailedPrecondition = "failed_precondition"
	CodeConflict           = "conflict"
	CodeUnavailable        = "unavailable"
	CodeInternal           = "internal"
)

// Error is the error half of every reply.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds an *Error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of an *Error in err's chain, or "" if there is none.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// CommandRequest is the body of a message on permledger.cmd.NAME.
type CommandRequest struct {
	// CommandID is chosen by the client; resubmitting the id of a command
	// that succeeded answers the first outcome and appends nothing. Empty:
	// the server picks one (no idempotency across retries).
	CommandID string `json:"command_id,omitempty"`
	// Token authenticates the actor. Not needed for user-register (optional),
	// login.
	Token string `json:"token,omitempty"`
	// Args are the command's arguments, named as in SEMANTICS.md section 3.
	Args json.RawMessage `json:"args,omitempty"`
}

// CommandReply answers a command.
type CommandReply struct {
	// Events is the number of events appended (0 for a no-op or a repeat).
	Events int `json:"events"`
	// Seq is the stream sequence of the last event appended, or the current
	// last sequence when nothing was appended (the consistency token).
	Seq uint64 `json:"seq"`
	// Repeat says this answers a command id that already succeeded.
	Repeat bool `json:"repeat,omitempty"`
	// Token is the token a command issued (login, user-register,
	// token-regenerate, registration-token-issue), shown once.
	Token string `json:"token,omitempty"`
	// Result carries command-specific output (a migration plan, for one).
	Result json.RawMessage `json:"result,omitempty"`
	Error  *Error          `json:"error,omitempty"`
}

// CheckRequest asks whether a user may do something. Exactly one of User and
// Token names the subject.
type CheckRequest struct {
	User       string   `json:"user,omitempty"`
	Token      string   `json:"token,omitempty"`
	Permission string   `json:"permission"`
	Contexts   []string `json:"contexts"`
	// MinSeq makes the query wait (bounded by its deadline) until the read
	// model has applied this sequence: read your own writes.
	MinSeq uint64 `json:"min_seq,omitempty"`
	// AtSeq answers as of this stream sequence (0: now).
	AtSeq uint64 `json:"at_seq,omitempty"`
	// AtTime answers as of this time (RFC 3339; empty: now).
	AtTime string `json:"at_time,omitempty"`
	// Explain asks for the matching holding and its provenance.
	Explain bool `json:"explain,omitempty"`
}

// CheckReply answers a check.
type CheckReply struct {
	Allowed bool   `json:"allowed"`
	Rule    string `json:"rule,omitempty"` // R1..R5
	// Seq is the sequence the answer was computed at.
	Seq         uint64       `json:"seq"`
	Explanation *Explanation `json:"explanation,omitempty"`
	Error       *Error       `json:"error,omitempty"`
}

// Explanation says why a check answered as it did.
type Explanation struct {
	User       string   `json:"user"`
	Permission string   `json:"permission"`
	Contexts   []string `json:"contexts"`
	Rule       string   `json:"rule"`
	Reason     string   `json:"reason"`
	Match      *Match   `json:"match,omitempty"`
}

// Match is the holding or override that decided a check, with the event
// that created it.
type Match struct {
	Kind       string `json:"kind"` // role, default-role, override-allow, override-deny, self, admin
	Permission string `json:"permission,omitempty"`
	Context    string `json:"context,omitempty"`
	Role       string `json:"role,omitempty"`
	Value      string `json:"value,omitempty"`
	Seq        uint64 `json:"seq,omitempty"`
	Time       string `json:"time,omitempty"`
	Actor      string `json:"actor,omitempty"`
	CommandID  string `json:"command_id,omitempty"`
}

// AuthenticateRequest resolves a token to its user.
type AuthenticateRequest struct {
	Token  string `json:"token"`
	MinSeq uint64 `json:"min_seq,omitempty"`
}

// AuthenticateReply answers an authentication.
type AuthenticateReply struct {
	User  string `json:"user,omitempty"`
	Admin bool   `json:"admin,omitempty"`
	Seq   uint64 `json:"seq"`
	Error *Error `json:"error,omitempty"`
}

// LastSeqReply reports the stream's last sequence and the read model's.
type LastSeqReply struct {
	Stream  uint64 `json:"stream"`
	Applied uint64 `json:"applied"`
	Error   *Error `json:"error,omitempty"`
}
