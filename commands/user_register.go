package commands

import (
	"github.com/permledger/permledger/events"
)

// UserRegister (C2, section 4): the first-user rule, the registration modes,
// approval and registration tokens. Returns a token when the new user is active.
type UserRegister struct {
	User              string `json:"user"`
	Password          string `json:"password"`
	RegistrationToken string `json:"registration_token,omitempty"`
}

func init() { register("user-register", func() Command { return &UserRegister{} }) }

func (c *UserRegister) Name() string      { return "user-register" }
func (c *UserRegister) Auth() Auth        { return AuthOptional }
func (c *UserRegister) password() string  { return c.Password }
func (c *UserRegister) issuesToken() bool { return true }
func (c *UserRegister) fingerprintArgs() any {
	return struct{ User, TokenHash string }{c.User, HashToken(c.RegistrationToken)}
}

func (c *UserRegister) Decide(st State, in Input) (Outcome, error) {
	if err := validName("user", c.User); err != nil {
		return Outcome{}, err
	}
	if err := validatePassword(c.Password); err != nil {
		return Outcome{}, err
	}
	noAdmin, err := st.AnyActiveAdmin()
	if err != nil {
		return Outcome{}, err
	}
	noAdmin = !noAdmin
	var reg registration
	if c.RegistrationToken != "" {
		reg, err = c.withToken(st, in)
	} else {
		reg, err = c.byMode(st, in, noAdmin)
	}
	if err != nil {
		return Outcome{}, err
	}
	if u, err := st.User(c.User); err != nil {
		return Outcome{}, err
	} else if u != nil {
		return Outcome{}, alreadyExists("user %q already exists", c.User)
	}
	return c.outcome(st, in, reg, noAdmin), nil
}

// registration is how a registration was admitted.
type registration struct {
	pending  bool
	spendTok string // registration token hash to spend
}

func (c *UserRegister) withToken(st State, in Input) (registration, error) {
	hash := HashToken(c.RegistrationToken)
	rt, err := st.RegToken(hash)
	if err != nil {
		return registration{}, err
	}
	if rt == nil || rt.Spent || in.Now.Unix() > rt.ExpiresAt {
		return registration{}, errUnauthenticated
	}
	if rt.User != "" && rt.User != c.User {
		return registration{}, forbidden("this registration token is for another user, not %q", c.User)
	}
	return registration{spendTok: hash}, nil
}

func (c *UserRegister) byMode(st State, in Input, noAdmin bool) (registration, error) {
	if noAdmin {
		return registration{}, nil // R-first-user
	}
	adminActor := in.Actor != nil && in.Actor.Admin
	switch s := st.Settings(); s.Mode {
	case events.ModeEnabled:
		return registration{pending: s.Approval && !adminActor}, nil
	case events.ModeAdminOnly:
		if !adminActor {
			return registration{}, forbidden("registration is admin_only: only an admin may register %q", c.User)
		}
		return registration{}, nil
	default:
		return registration{}, forbidden("registration is disabled")
	}
}

func (c *UserRegister) outcome(st State, in Input, reg registration, noAdmin bool) Outcome {
	status := events.StatusActive
	if reg.pending && !noAdmin {
		status = events.StatusPending
	}
	evs := []events.Payload{events.UserCreated{User: c.User, PasswordHash: in.PasswordHash, Status: status, Admin: noAdmin}}
	evs = append(evs, defaultAssignments(st, events.DefaultOnUserCreate, c.User, "")...)
	if reg.spendTok != "" {
		evs = append(evs, events.RegistrationTokenSpent{TokenHash: reg.spendTok, User: c.User})
	}
	out := Outcome{Events: evs, Result: registered{User: c.User, Status: status, Admin: noAdmin}}
	if status == events.StatusActive {
		out.Events = append(out.Events, events.TokenIssued{User: c.User, TokenHash: in.NewToken.Hash})
		out.Token = in.NewToken.Plain
	}
	return out
}

type registered struct {
	User   string `json:"user"`
	Status string `json:"status"`
	Admin  bool   `json:"admin"`
}
