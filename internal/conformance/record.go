package conformance

import (
	"encoding/json"

	"github.com/permledger/permledger/api"
)

// commandArgs is the part of a command's args the runner itself reads to
// track users and tokens. Fields of another type are left zero.
type commandArgs struct {
	User     string `json:"user"`
	Password string `json:"password"`
	All      bool   `json:"all"`
	DryRun   bool   `json:"dry_run"`
	Snapshot struct {
		Users []struct {
			User string `json:"user"`
		} `json:"users"`
	} `json:"snapshot"`
}

func readArgs(raw json.RawMessage) commandArgs {
	var a commandArgs
	_ = json.Unmarshal(raw, &a) // best effort: a mistyped field stays zero
	return a
}

// record updates the runner's memory after command d succeeded with reply;
// actor is the user whose token submitted it ("" if unknown or none).
func (c *credentials) record(d *DoStep, args json.RawMessage, actor string, reply api.CommandReply) {
	a := readArgs(args)
	switch d.Command {
	case "root-user-create", "user-create":
		c.created(a.User, a.Password)
	case "user-register":
		c.created(a.User, a.Password)
		c.issued(a.User, reply.Token)
	case "login":
		c.issued(a.User, reply.Token)
	case "token-regenerate":
		c.regenerated(a, actor, reply.Token)
	case "user-delete":
		c.deleted(a.User)
	case "migrate":
		if !a.DryRun {
			for _, u := range a.Snapshot.Users {
				c.existsWithoutPassword(u.User)
			}
		}
	}
	if d.SaveToken != "" {
		c.saved[d.SaveToken] = reply.Token
	}
}

// regenerated records token-regenerate's token: {} or {"user": actor} issue
// for the actor, {"user": X} for X, {"all": true} returns none.
func (c *credentials) regenerated(a commandArgs, actor, token string) {
	if a.All {
		return
	}
	user := a.User
	if user == "" {
		user = actor
	}
	c.issued(user, token)
}
