package commands

import "github.com/permledger/permledger/events"

// RegistrationModeSet (C18) sets the registration mode and approval switch;
// admin-only. Every call sets approval (default false).
type RegistrationModeSet struct {
	Mode     string `json:"mode"`
	Approval bool   `json:"approval,omitempty"`
}

func init() { register("registration-mode-set", func() Command { return &RegistrationModeSet{} }) }

func (c *RegistrationModeSet) Name() string { return "registration-mode-set" }
func (c *RegistrationModeSet) Auth() Auth   { return AuthRequired }

func (c *RegistrationModeSet) Decide(st State, in Input) (Outcome, error) {
	switch c.Mode {
	case events.ModeEnabled, events.ModeAdminOnly, events.ModeDisabled:
	default:
		return Outcome{}, invalid("mode %q: must be enabled, admin_only or disabled", c.Mode)
	}
	if err := requireAdmin(in.Actor, "registration-mode-set"); err != nil {
		return Outcome{}, err
	}
	if s := st.Settings(); s.Mode == c.Mode && s.Approval == c.Approval {
		return Outcome{}, nil
	}
	return Outcome{Events: []events.Payload{events.RegistrationModeSet{Mode: c.Mode, Approval: c.Approval}}}, nil
}
