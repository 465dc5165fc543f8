package main

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/migrate"
)

// The data set is tsuru-like: N users, N/10 teams, tsuru's team-member and
// team-creator roles, three custom roles, each user in two teams, with
// direct grants and denies. Every user holds exactly holdingsPerUser
// holdings (7 role assignments + 3 overrides), so 10^6 users are 10^7
// holdings. Everything is a pure function of the user index, so scenarios
// can ask checks whose answer they know without reading the ledger.
const (
	holdingsPerUser = 10
	eventsPerUser   = holdingsPerUser + 1 // user.created + the holdings
	passwordPool    = 8                   // distinct bcrypt hashes shared by the users
	adminUser       = "bench-admin"
	adminPassword   = "bench-admin-password"
	bulkActor       = adminUser
)

// Custom roles (besides migrate.RoleTeamMember and migrate.RoleTeamCreator).
const (
	roleAppDeployer  = "app-deployer"  // app context
	rolePoolOperator = "pool-operator" // pool context
	roleServiceOwner = "service-owner" // service context
)

// dataset describes one generated data set.
type dataset struct {
	users       int
	usersPerMsg int // users per log message in the bulk load
	hashes      []string
	runID       string
}

func newDataset(users, usersPerMsg int) (*dataset, error) {
	d := &dataset{users: users, usersPerMsg: max(usersPerMsg, 1), runID: "bench-load"}
	for i := range passwordPool {
		h, err := bcrypt.GenerateFromPassword([]byte(userPassword(i)), bcrypt.MinCost)
		if err != nil {
			return nil, err
		}
		d.hashes = append(d.hashes, string(h))
	}
	return d, nil
}

func userPassword(i int) string { return "password-" + strconv.Itoa(i%passwordPool) }

func (d *dataset) teams() int    { return max(d.users/10, 2) }
func (d *dataset) apps() int     { return max(d.users/2, 4) }
func (d *dataset) pools() int    { return 50 }
func (d *dataset) services() int { return 200 }

func userName(i int) string    { return fmt.Sprintf("user-%07d@corp.example", i) }
func teamName(i int) string    { return fmt.Sprintf("team-%06d", i) }
func appName(i int) string     { return fmt.Sprintf("app-%07d", i) }
func poolName(i int) string    { return fmt.Sprintf("pool-%03d", i) }
func serviceName(i int) string { return fmt.Sprintf("service-%03d", i) }

// profile is what user i holds.
type profile struct {
	name           string
	team1, team2   string
	app1, app2     string // app-deployer on both; app2 is also denied app.deploy
	app3           string // granted app.update.env.set
	pool, service  string
	passwordHashIx int
}

func (d *dataset) profile(i int) profile {
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	t1 := r.IntN(d.teams())
	t2 := (t1 + 1 + r.IntN(d.teams()-1)) % d.teams()
	a1 := r.IntN(d.apps())
	a2 := (a1 + 1 + r.IntN(d.apps()-1)) % d.apps()
	return profile{
		name: userName(i), team1: teamName(t1), team2: teamName(t2),
		app1: appName(a1), app2: appName(a2), app3: appName(r.IntN(d.apps())),
		pool: poolName(r.IntN(d.pools())), service: serviceName(r.IntN(d.services())),
		passwordHashIx: i % passwordPool,
	}
}

// userEvents are the events that create user i with its holdings.
func (d *dataset) userEvents(i int) []events.Payload {
	p := d.profile(i)
	u := p.name
	return []events.Payload{
		events.UserCreated{User: u, PasswordHash: d.hashes[p.passwordHashIx], Status: events.StatusActive},
		events.RoleAssigned{Role: migrate.RoleTeamMember, User: u, Value: p.team1},
		events.RoleAssigned{Role: migrate.RoleTeamMember, User: u, Value: p.team2},
		events.RoleAssigned{Role: migrate.RoleTeamCreator, User: u},
		events.RoleAssigned{Role: roleAppDeployer, User: u, Value: p.app1},
		events.RoleAssigned{Role: roleAppDeployer, User: u, Value: p.app2},
		events.RoleAssigned{Role: rolePoolOperator, User: u, Value: p.pool},
		events.RoleAssigned{Role: roleServiceOwner, User: u, Value: p.service},
		events.PermissionGranted{User: u, Permission: "app.update.env.set", Context: "app:" + p.app3},
		events.PermissionGranted{User: u, Permission: "job", Context: "team:" + p.team1},
		events.PermissionRevoked{User: u, Permission: "app.deploy", Context: "app:" + p.app2},
	}
}

// roleEvents create the roles as tsuru's migrate-roles would, plus the
// custom ones.
func roleEvents() []events.Payload {
	var out []events.Payload
	for _, r := range migrate.TsuruRoles() {
		out = append(out, events.RoleCreated{Role: r.Name, Context: r.Context, Unlimited: r.Unlimited},
			events.RolePermissionsAdded{Role: r.Name, Permissions: r.Permissions})
		for _, ev := range r.Defaults {
			out = append(out, events.RoleDefaultAdded{Role: r.Name, Event: ev})
		}
	}
	custom := []struct {
		name, ctx string
		perms     []string
	}{
		{roleAppDeployer, "app", []string{"app.deploy", "app.read", "app.update.restart"}},
		{rolePoolOperator, "pool", []string{"pool.read", "pool.update", "volume"}},
		{roleServiceOwner, "service", []string{"service.read", "service.update"}},
	}
	for _, c := range custom {
		out = append(out, events.RoleCreated{Role: c.name, Context: c.ctx},
			events.RolePermissionsAdded{Role: c.name, Permissions: c.perms})
	}
	return out
}

// message is one log entry of the bulk load.
type message struct {
	id     string // Nats-Msg-Id: the batch's command id
	data   []byte
	events int
	users  int
}

// generator yields the bulk load's messages in order: roles, teams (1000 a
// message), then users (usersPerMsg a message), each an events.Batch
// encoded by the events codec, as a bulk import appends them.
type generator struct {
	d        *dataset
	n        int // messages emitted
	team     int
	user     int
	rolesOut bool
	now      func() time.Time
}

func (d *dataset) generator() *generator {
	return &generator{d: d, now: time.Now}
}

// next returns the next message, or false when the data set is complete.
func (g *generator) next() (message, bool, error) {
	var evs []events.Payload
	users := 0
	switch {
	case !g.rolesOut:
		g.rolesOut, evs = true, roleEvents()
	case g.team < g.d.teams():
		for ; g.team < g.d.teams() && len(evs) < 1000; g.team++ {
			evs = append(evs, events.TeamCreated{Team: teamName(g.team)})
		}
	case g.user < g.d.users:
		for ; g.user < g.d.users && users < g.d.usersPerMsg; g.user++ {
			evs = append(evs, g.d.userEvents(g.user)...)
			users++
		}
	default:
		return message{}, false, nil
	}
	g.n++
	id := g.d.runID + ":" + strconv.Itoa(g.n)
	m := events.Meta{Time: g.now(), Actor: bulkActor, CommandID: id, RunID: g.d.runID}
	b := events.Batch{CommandID: id, Command: "bench-load", Events: make([]events.Envelope, 0, len(evs))}
	for _, p := range evs {
		b.Events = append(b.Events, events.New(m, p))
	}
	data, err := events.EncodeBatch(b)
	return message{id: id, data: data, events: len(evs), users: users}, true, err
}

// checkCase is a check whose answer the data set fixes.
type checkCase struct {
	user     string
	perm     string
	contexts []string
	allowed  bool
}

// checkCase returns the k-th kind of check about user i: allowed by a role
// in an app, denied by an override, allowed through a team, denied in a
// foreign pool, allowed globally by team-creator.
func (d *dataset) checkCase(i, k int) checkCase {
	p := d.profile(i)
	foreignPool := poolName((poolIndex(p.pool) + 1) % d.pools())
	switch k % 5 {
	case 0:
		return checkCase{p.name, "app.deploy", []string{"app:" + p.app1, "pool:" + p.pool}, true}
	case 1:
		return checkCase{p.name, "app.deploy", []string{"app:" + p.app2}, false}
	case 2:
		return checkCase{p.name, "app.update.env.unset", []string{"app:" + appName(i%d.apps()), "team:" + p.team2}, true}
	case 3:
		return checkCase{p.name, "pool.update", []string{"pool:" + foreignPool}, false}
	default:
		return checkCase{p.name, "team.create", []string{}, true}
	}
}

func poolIndex(name string) int {
	n, _ := strconv.Atoi(name[len("pool-"):])
	return n
}
