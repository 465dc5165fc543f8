package natslog_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

func TestAppendReturnsConsecutiveSeqs(t *testing.T) {
	l := openLog(t, natslog.Config{})
	for i, data := range []string{"a", "b", "c"} {
		if got, want := mustAppend(t, l, data, uint64(i)), uint64(i+1); got != want {
			t.Fatalf("seq = %d, want %d", got, want)
		}
	}
	if got, want := lastSeq(t, l), uint64(3); got != want {
		t.Errorf("LastSeq = %d, want %d", got, want)
	}
}

func TestAppendStaleExpectedSeqConflicts(t *testing.T) {
	l := openLog(t, natslog.Config{})
	mustAppend(t, l, "a", 0)
	mustAppend(t, l, "b", 1)
	for _, expected := range []uint64{0, 1, 5} {
		seq, err := l.Append(testCtx(t), []byte("stale"), "", expected, nil)
		if !errors.Is(err, natslog.ErrConflict) {
			t.Fatalf("expected %d: err = %v, want ErrConflict", expected, err)
		}
		if got, want := apiErrorCode(err), jetstream.ErrorCode(10071); got != want {
			t.Errorf("expected %d: API error code = %d, want %d", expected, got, want)
		}
		if got, want := seq, uint64(0); got != want {
			t.Errorf("expected %d: seq = %d, want %d", expected, got, want)
		}
		if errors.Is(err, natslog.ErrUnavailable) || errors.Is(err, natslog.ErrDuplicate) {
			t.Errorf("expected %d: err %v also matches another sentinel", expected, err)
		}
	}
	if got, want := lastSeq(t, l), uint64(2); got != want {
		t.Errorf("LastSeq = %d, want %d (nothing appended)", got, want)
	}
}

// raceAppends runs n concurrent Appends expecting the same last seq and
// returns how many won and how many got ErrConflict.
func raceAppends(t *testing.T, l *natslog.Log, n int, expected uint64) (won, conflicted int) {
	t.Helper()
	ctx := testCtx(t)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = l.Append(ctx, []byte("racer"), "", expected, nil) })
	}
	wg.Wait()
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, natslog.ErrConflict):
			conflicted++
		default:
			t.Fatalf("racing Append: unexpected error %v", err)
		}
	}
	return won, conflicted
}

func TestAppendRaceExactlyOneWins(t *testing.T) {
	// Without a msg id, an append whose acknowledgement takes longer than
	// ReplyWait is sent again and answered as a conflict even when it won
	// (see Append): on a loaded machine that once gave 0 winners. The race
	// is what this test is about, not the retry, so the wait is long.
	l := openLog(t, natslog.Config{ReplyWait: 30 * time.Second})
	const rounds, racers = 20, 4
	for round := range uint64(rounds) {
		won, conflicted := raceAppends(t, l, racers, round)
		if got, want := won, 1; got != want {
			t.Fatalf("round %d: winners = %d, want %d", round, got, want)
		}
		if got, want := conflicted, racers-1; got != want {
			t.Fatalf("round %d: conflicts = %d, want %d", round, got, want)
		}
	}
	if got, want := lastSeq(t, l), uint64(rounds); got != want {
		t.Errorf("LastSeq = %d, want %d", got, want)
	}
}

// TestAppendDuplicateR1 pins down nats-server's order of checks on an R1
// stream: the expected last sequence is checked before the message id.
func TestAppendDuplicateR1(t *testing.T) {
	l := openLog(t, natslog.Config{})
	ctx := testCtx(t)
	mustAppend(t, l, "zero", 0)
	first, err := l.Append(ctx, []byte("one"), "cmd-1", 1, nil)
	if err != nil {
		t.Fatalf("first Append: %v", err)
	}

	// Retry with the same, now stale, expected seq: the sequence check wins.
	seq, err := l.Append(ctx, []byte("one"), "cmd-1", 1, nil)
	if !errors.Is(err, natslog.ErrConflict) {
		t.Fatalf("retry with stale expected seq: seq %d err %v, want ErrConflict", seq, err)
	}

	// With the current last seq the id check is reached: a duplicate.
	seq, err = l.Append(ctx, []byte("one again"), "cmd-1", first, nil)
	if !errors.Is(err, natslog.ErrDuplicate) {
		t.Fatalf("retry with current expected seq: err = %v, want ErrDuplicate", err)
	}
	if got, want := seq, first; got != want {
		t.Errorf("duplicate seq = %d, want first seq %d", got, want)
	}
	if got, want := lastSeq(t, l), first; got != want {
		t.Errorf("LastSeq = %d, want %d (nothing appended)", got, want)
	}
}

func TestAppendCopiesHeaders(t *testing.T) {
	l := openLog(t, natslog.Config{})
	ctx := testCtx(t)
	hdr := nats.Header{"X-Trace": {"abc"}}
	seq, err := l.Append(ctx, []byte("payload"), "cmd-h", 0, hdr)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	if got, want := len(hdr), 1; got != want {
		t.Errorf("caller header mutated: %d keys, want %d", got, want)
	}
	m, err := l.Get(ctx, seq)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got, want := m.Header.Get("X-Trace"), "abc"; got != want {
		t.Errorf("X-Trace = %q, want %q", got, want)
	}
	if got, want := m.Header.Get(jetstream.MsgIDHeader), "cmd-h"; got != want {
		t.Errorf("Nats-Msg-Id = %q, want %q", got, want)
	}
}

func TestAppendRejectsReservedHeaders(t *testing.T) {
	l := openLog(t, natslog.Config{})
	_, err := l.Append(testCtx(t), []byte("x"), "", 0, nats.Header{"Nats-Rollup": {"all"}})
	if err == nil {
		t.Fatal("Append with Nats-Rollup header succeeded, want error")
	}
	if got, want := lastSeq(t, l), uint64(0); got != want {
		t.Errorf("LastSeq = %d, want %d", got, want)
	}
}

func TestAppendTooLargeForStream(t *testing.T) {
	l := openLog(t, natslog.Config{MaxMsgSize: 1024})
	ctx := testCtx(t)
	_, err := l.Append(ctx, []byte(strings.Repeat("x", 2048)), "big", 0, nil)
	if !errors.Is(err, natslog.ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if got, want := apiErrorCode(err), jetstream.ErrorCode(10054); got != want {
		t.Errorf("API error code = %d, want %d", got, want)
	}
	if errors.Is(err, natslog.ErrUnavailable) {
		t.Errorf("err %v also matches ErrUnavailable", err)
	}
	mustAppend(t, l, "small", 0)
}

func TestAppendTooLargeForServer(t *testing.T) {
	s := startServer(t, natsserver.Config{MaxPayload: 4096})
	l, err := natslog.Open(testCtx(t), connect(t, s.ClientURL()), natslog.Config{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	_, err = l.Append(testCtx(t), []byte(strings.Repeat("x", 8192)), "", 0, nil)
	if !errors.Is(err, natslog.ErrTooLarge) || !errors.Is(err, nats.ErrMaxPayload) {
		t.Fatalf("err = %v, want ErrTooLarge wrapping nats.ErrMaxPayload", err)
	}
	mustAppend(t, l, "small", 0)
}
