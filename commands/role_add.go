package commands

import (
	"strings"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/policy"
)

// RoleAdd (C8) creates a role [role.create]. The name is trimmed; unlimited
// is admin-only; the default role must be global and not unlimited.
type RoleAdd struct {
	Role        string `json:"role"`
	Context     string `json:"context"`
	Description string `json:"description,omitempty"`
	Unlimited   bool   `json:"unlimited,omitempty"`
}

func init() { register("role-add", func() Command { return &RoleAdd{} }) }

func (c *RoleAdd) Name() string { return "role-add" }
func (c *RoleAdd) Auth() Auth   { return AuthRequired }

func (c *RoleAdd) validate(cat *catalog.Catalog) (string, error) {
	name := strings.TrimSpace(c.Role)
	if name == "" {
		return "", invalid("invalid role name %q: empty", c.Role)
	}
	if err := validName("role", name); err != nil {
		return "", err
	}
	if c.Context == "" || !cat.IsContextType(c.Context) {
		return "", invalid("invalid context type %q (one of global, %s)", c.Context, strings.Join(cat.ContextTypes(), ", "))
	}
	if name == policy.DefaultRole && (c.Context != catalog.Global || c.Unlimited) {
		return "", invalid("role %q must have context global and cannot be unlimited", policy.DefaultRole)
	}
	return name, nil
}

func (c *RoleAdd) Decide(st State, in Input) (Outcome, error) {
	name, err := c.validate(st.Catalog())
	if err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "role.create", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	if c.Unlimited {
		if err := requireAdmin(in.Actor, "creating an unlimited role"); err != nil {
			return Outcome{}, err
		}
	}
	if st.RoleDoc(name) != nil {
		return Outcome{}, alreadyExists("role %q already exists", name)
	}
	e := events.RoleCreated{Role: name, Context: c.Context, Description: c.Description, Unlimited: c.Unlimited}
	return Outcome{Events: []events.Payload{e}}, nil
}
