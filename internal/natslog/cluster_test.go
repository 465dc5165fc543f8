package natslog_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

// openR3Log starts a 3-node cluster and opens an R3 log through node 0.
func openR3Log(t *testing.T) *natslog.Log {
	t.Helper()
	servers := startR3Cluster(t)
	l, err := natslog.Open(testCtx(t), connect(t, clusterURLs(servers)), natslog.Config{Replicas: 3})
	if err != nil {
		t.Fatalf("Open R3: %v", err)
	}
	return l
}

// startR3Cluster starts a 3-node cluster, shut down at test end.
func startR3Cluster(t *testing.T) []*server.Server {
	t.Helper()
	servers, err := natsserver.StartCluster([]string{t.TempDir(), t.TempDir(), t.TempDir()}, false)
	if err != nil {
		t.Fatalf("StartCluster: %v", err)
	}
	t.Cleanup(func() {
		for _, s := range servers {
			s.Shutdown()
		}
		for _, s := range servers {
			s.WaitForShutdown()
		}
	})
	return servers
}

func clusterURLs(servers []*server.Server) string {
	url := servers[0].ClientURL()
	for _, s := range servers[1:] {
		url += "," + s.ClientURL()
	}
	return url
}

// TestR3ChecksMsgIDBeforeExpectedSeq pins down nats-server's order of checks
// on a replicated stream: the message id is checked before the expected last
// sequence, so a retry gets ErrDuplicate even with a stale expected seq.
func TestR3ChecksMsgIDBeforeExpectedSeq(t *testing.T) {
	l := openR3Log(t)
	ctx := testCtx(t)
	first, err := l.Append(ctx, []byte("one"), "cmd-1", 0, nil)
	if err != nil {
		t.Fatalf("first Append: %v", err)
	}
	for _, expected := range []uint64{0, first} {
		seq, err := l.Append(ctx, []byte("one"), "cmd-1", expected, nil)
		if !errors.Is(err, natslog.ErrDuplicate) {
			t.Fatalf("retry expecting %d: err = %v, want ErrDuplicate", expected, err)
		}
		if got, want := seq, first; got != want {
			t.Errorf("retry expecting %d: seq = %d, want %d", expected, got, want)
		}
	}
	_, err = l.Append(ctx, []byte("two"), "cmd-2", 0, nil)
	if !errors.Is(err, natslog.ErrConflict) {
		t.Fatalf("new id, stale seq: err = %v, want ErrConflict", err)
	}
	if got, want := apiErrorCode(err), jetstream.ErrorCode(10071); got != want {
		t.Errorf("API error code = %d, want %d", got, want)
	}
	if got, want := lastSeq(t, l), first; got != want {
		t.Errorf("LastSeq = %d, want %d", got, want)
	}
}

func TestR3AppendRaceExactlyOneWins(t *testing.T) {
	l := openR3Log(t)
	const rounds, racers = 5, 3
	for round := range uint64(rounds) {
		won, conflicted := raceAppends(t, l, racers, round)
		if got, want := won, 1; got != want {
			t.Fatalf("round %d: winners = %d, want %d", round, got, want)
		}
		if got, want := conflicted, racers-1; got != want {
			t.Fatalf("round %d: conflicts = %d, want %d", round, got, want)
		}
	}
	if got, want := fmt.Sprint(collectUntil(t, l, 0, 0)), "[1 2 3 4 5]"; got != want {
		t.Errorf("log = %s, want %s", got, want)
	}
}

// TestR3SameMsgIDRace races appends with one msg id and one expected seq:
// one wins; the others see it as a duplicate, or as ErrConflict (10158)
// while the winner is still being committed.
func TestR3SameMsgIDRace(t *testing.T) {
	l := openR3Log(t)
	ctx := testCtx(t)
	const racers = 6
	type result struct {
		seq uint64
		err error
	}
	results := make([]result, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			seq, err := l.Append(ctx, []byte("same"), "cmd-same", 0, nil)
			results[i] = result{seq, err}
		})
	}
	wg.Wait()
	won := 0
	for _, r := range results {
		switch {
		case r.err == nil:
			won++
		case errors.Is(r.err, natslog.ErrDuplicate):
			if got, want := r.seq, uint64(1); got != want {
				t.Errorf("duplicate seq = %d, want %d", got, want)
			}
		case errors.Is(r.err, natslog.ErrConflict):
		default:
			t.Errorf("unexpected error %v", r.err)
		}
		t.Logf("seq %d code %d err %v", r.seq, apiErrorCode(r.err), r.err)
	}
	if got, want := won, 1; got != want {
		t.Errorf("winners = %d, want %d", got, want)
	}
	if got, want := lastSeq(t, l), uint64(1); got != want {
		t.Errorf("LastSeq = %d, want %d", got, want)
	}
}
