package commands

import (
	"time"

	"github.com/permledger/permledger/events"
)

// RegistrationTokenIssue (C19) issues a single-use, expiring registration
// token, optionally bound to a user name; admin-only.
type RegistrationTokenIssue struct {
	User       string `json:"user,omitempty"`
	TTLSeconds *int64 `json:"ttl_seconds"`
}

func init() {
	register("registration-token-issue", func() Command { return &RegistrationTokenIssue{} })
}

func (c *RegistrationTokenIssue) Name() string      { return "registration-token-issue" }
func (c *RegistrationTokenIssue) Auth() Auth        { return AuthRequired }
func (c *RegistrationTokenIssue) issuesToken() bool { return true }

// maxTTL bounds a registration token's life (a year).
const maxTTL = int64(365 * 24 * time.Hour / time.Second)

func (c *RegistrationTokenIssue) Decide(st State, in Input) (Outcome, error) {
	if c.TTLSeconds == nil || *c.TTLSeconds <= 0 || *c.TTLSeconds > maxTTL {
		return Outcome{}, invalid("ttl_seconds must be between 1 and %d", maxTTL)
	}
	if c.User != "" {
		if err := validName("user", c.User); err != nil {
			return Outcome{}, err
		}
	}
	if err := requireAdmin(in.Actor, "registration-token-issue"); err != nil {
		return Outcome{}, err
	}
	if c.User != "" {
		if u, err := st.User(c.User); err != nil {
			return Outcome{}, err
		} else if u != nil {
			return Outcome{}, alreadyExists("user %q already exists", c.User)
		}
	}
	e := events.RegistrationTokenIssued{TokenHash: in.NewToken.Hash, User: c.User, ExpiresAt: in.Now.Unix() + *c.TTLSeconds}
	return Outcome{Events: []events.Payload{e}, Token: in.NewToken.Plain}, nil
}
