package client_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// startLedger runs a throwaway ledger with an embedded NATS server and a
// root user (root@corp.com, rootpw), as `permledger serve` and
// `permledger root-user-create` would. It returns the NATS URL.
func startLedger(ctx context.Context, dir string) (string, func()) {
	l, err := ledger.Open(ctx, ledger.Config{DataDir: dir, Embedded: natsserver.Config{Port: -1}, BcryptCost: 4, ServeAPI: true})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		log.Fatal(err)
	}
	return l.Conn.ConnectedUrl(), func() { l.Close() }
}

// A service connects, an administrator's commands set up a role, and the
// service checks, batch-checks and authenticates. Every query of a client
// waits for the sequence of its last command (min_seq): it reads its own
// writes.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "permledger-example-")
	defer os.RemoveAll(dir)
	url, stop := startLedger(ctx, dir)
	defer stop()

	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	c := client.New(nc)

	login, err := c.Command(ctx, "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		log.Fatal(err)
	}
	root := login.Token
	for _, cmd := range []struct {
		name string
		args any
	}{
		{"user-create", map[string]string{"user": "bob@corp.com", "password": "bobpw"}},
		{"team-create", map[string]string{"team": "blue"}},
		{"role-add", map[string]string{"role": "deployer", "context": "team"}},
		{"role-permission-add", map[string]any{"role": "deployer", "permissions": []string{"app.deploy"}}},
		{"role-assign", map[string]string{"role": "deployer", "user": "bob@corp.com", "value": "blue"}},
	} {
		// A command id of the client's choosing makes a retry safe.
		if _, err := c.Command(ctx, cmd.name, "setup-"+cmd.name, root, cmd.args); err != nil {
			log.Fatalf("%s: %v", cmd.name, err)
		}
	}

	rep, err := c.Check(ctx, api.CheckRequest{User: "bob@corp.com", Permission: "app.deploy", Contexts: []string{"team:blue", "app:web"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("bob may deploy web:", rep.Allowed, rep.Rule)

	results, err := c.BatchCheck(ctx, []api.CheckRequest{
		{User: "bob@corp.com", Permission: "app.deploy", Contexts: []string{"team:red"}},
		{User: "bob@corp.com", Permission: "app.fly"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range results {
		if r.Error != nil {
			fmt.Println("error:", api.CodeOf(r.Error))
			continue
		}
		fmt.Println("allowed:", r.Allowed, r.Rule)
	}

	who, err := c.Authenticate(ctx, root)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token of:", who.User, "admin:", who.Admin)

	_, err = c.Authenticate(ctx, "not-a-token")
	fmt.Println("a bad token:", api.CodeOf(err))
	// Output:
	// bob may deploy web: true R4
	// allowed: false R5
	// error: invalid_argument
	// token of: root@corp.com admin: true
	// a bad token: unauthenticated
}
