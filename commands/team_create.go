package commands

import (
	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// TeamCreate (C7) creates a team [team.create]; the actor receives every
// team-create default role with value = team.
type TeamCreate struct {
	Team string `json:"team"`
}

func init() { register("team-create", func() Command { return &TeamCreate{} }) }

func (c *TeamCreate) Name() string { return "team-create" }
func (c *TeamCreate) Auth() Auth   { return AuthRequired }

func (c *TeamCreate) Decide(st State, in Input) (Outcome, error) {
	if err := validName("team", c.Team); err != nil {
		return Outcome{}, err
	}
	if err := requirePermission(st, in.Actor, "team.create", catalog.GlobalContext); err != nil {
		return Outcome{}, err
	}
	t, err := st.Team(c.Team)
	if err != nil {
		return Outcome{}, err
	}
	if t != nil {
		return Outcome{}, alreadyExists("team %q already exists", c.Team)
	}
	evs := []events.Payload{events.TeamCreated{Team: c.Team}}
	for _, a := range defaultAssignments(st, events.DefaultOnTeamCreate, in.Actor.Name, c.Team) {
		if ra := a.(events.RoleAssigned); !in.Actor.HasAssignment(ra.Role, ra.Value) {
			evs = append(evs, a)
		}
	}
	return Outcome{Events: evs}, nil
}
