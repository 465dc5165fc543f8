package ledger

import (
	"fmt"
	"sync"
	"testing"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

// Two ledger instances on one stream (as two `permledger serve` processes
// would be) race conflicting commands: optimistic concurrency means they
// never both succeed against stale state.
func TestTwoWritersNeverBothWin(t *testing.T) {
	a := openTest(t, t.TempDir(), nil)
	defer a.Close()
	b := openTest(t, t.TempDir(), func(c *Config) { c.NATSURL = a.Server.ClientURL() })
	defer b.Close()
	root := rootToken(t, a, client.New(a.Conn))
	clients := []*client.Client{client.New(a.Conn), client.New(b.Conn)}
	ctx := testCtx(t)

	for round := 0; round < 5; round++ {
		team := fmt.Sprintf("team-%d", round)
		var wg sync.WaitGroup
		results := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func(c *client.Client) {
				defer wg.Done()
				_, err := c.Command(ctx, "team-create", "", root, map[string]string{"team": team})
				results <- err
			}(clients[i%2])
		}
		wg.Wait()
		close(results)
		wins := 0
		for err := range results {
			switch code(err) {
			case "":
				wins++
			case api.CodeAlreadyExists:
			default:
				t.Errorf("round %d: unexpected error %v", round, err)
			}
		}
		if wins != 1 {
			t.Errorf("round %d: %d team-creates of %s succeeded, want exactly 1", round, wins, team)
		}
	}
	// Both read models saw the same log: same state, same digest.
	if err := b.Store.WaitApplied(ctx, lastSeq(t, a)); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.WaitApplied(ctx, lastSeq(t, a)); err != nil {
		t.Fatal(err)
	}
	da, _, _ := a.Store.Digest()
	db, _, _ := b.Store.Digest()
	if da != db {
		t.Error("two instances on one log have different read models")
	}
}
