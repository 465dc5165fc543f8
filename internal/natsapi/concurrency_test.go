package natsapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsserver"
)

// Logins with a real password cost are slow (a bcrypt comparison each); a
// grant sent after them on the same connection must not wait for all of
// them: commands are handed to their own goroutines, and only the decision
// and the append are one at a time. Were commands run one after another
// in the subscription's callback, the grant's reply would come after every
// login's, whatever the machine's speed.
func TestSlowLoginsDoNotHoldUpAGrant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	l, err := ledger.Open(ctx, ledger.Config{DataDir: t.TempDir(), Embedded: natsserver.Config{Port: -1},
		BcryptCost: 10, ServeAPI: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatal(err)
	}
	c := client.New(l.Conn)
	login, err := c.Command(ctx, "login", "", "", map[string]string{"user": "root@corp.com", "password": "rootpw"})
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(l.Server.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()

	var mu sync.Mutex
	var order []string
	var wg sync.WaitGroup
	send := func(name, label string, args any) {
		body, _ := json.Marshal(map[string]any{"token": login.Token, "args": args})
		inbox := nats.NewInbox()
		sub, err := nc.SubscribeSync(inbox)
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.PublishRequest(api.CommandPrefix+name, inbox, body); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer sub.Unsubscribe()
			m, err := sub.NextMsg(time.Minute)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				return
			}
			var rep api.CommandReply
			if err := json.Unmarshal(m.Data, &rep); err != nil || rep.Error != nil {
				t.Errorf("%s: %s", label, m.Data)
			}
			mu.Lock()
			order = append(order, label)
			mu.Unlock()
		}()
	}
	const logins = 4
	for i := range logins {
		send("login", fmt.Sprintf("login-%d", i), map[string]string{"user": "root@corp.com", "password": "rootpw"})
	}
	send("grant", "grant", map[string]string{"user": "root@corp.com", "permission": "app.deploy", "context": "app:web"})
	wg.Wait()
	if t.Failed() {
		return
	}
	if order[len(order)-1] == "grant" {
		t.Errorf("replies came in the order %v: the grant waited for every login before it", order)
	}
	t.Logf("replies in the order %v", order)
}
