package commands

import (
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
	"github.com/permledger/permledger/readmodel"
)

// State is the ledger's state at one sequence, as commands read it.
// *readmodel.View implements it.
type State interface {
	Seq() uint64
	Catalog() *catalog.Catalog
	Settings() readmodel.Settings
	User(name string) (*readmodel.User, error)
	RoleDoc(name string) *readmodel.Role
	DefaultRoles(event string) []*readmodel.Role
	Team(name string) (*readmodel.Team, error)
	AnyActiveAdmin() (bool, error)
	RoleHasHolders(role string) (bool, error)
	Authenticate(token string) (*readmodel.User, error)
	RegToken(hash string) (*readmodel.RegToken, error)
	Command(id string) (*readmodel.Command, error)
	Check(user, perm string, contexts []catalog.Context) (policy.Decision, error)
}

// Input is everything a decision needs besides the state and the arguments:
// the authenticated actor, the clock, and secrets prepared by the handler
// (so that Decide stays a pure function).
type Input struct {
	Actor *readmodel.User // nil for no actor
	Now   time.Time
	// NewToken is a freshly minted token for commands that issue one.
	NewToken Secret
	// PasswordHash is the bcrypt hash of the command's password, if it has one.
	PasswordHash string
	// Verify compares a password with a bcrypt hash (nil: bcrypt directly).
	Verify func(hash, password string) bool
}

func (in Input) verify(hash, password string) bool {
	if in.Verify != nil {
		return in.Verify(hash, password)
	}
	return passwordMatches(hash, password)
}

// Outcome is what a decision produced.
type Outcome struct {
	Events []events.Payload
	// Token is the plaintext token to show once (login, register, ...).
	Token string
	// Result is command-specific output, encoded as JSON in the reply.
	Result any
}
