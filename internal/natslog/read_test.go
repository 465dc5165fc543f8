package natslog_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
)

// appendN appends entries "m1".."mN" after the current end.
func appendN(t *testing.T, l *natslog.Log, n int) {
	t.Helper()
	last := lastSeq(t, l)
	for i := range uint64(n) {
		mustAppend(t, l, fmt.Sprintf("m%d", last+i+1), last+i)
	}
}

// reader runs Read in a goroutine, sending every Msg to msgs and Read's
// result to done.
type reader struct {
	msgs   chan natslog.Msg
	done   chan error
	cancel context.CancelFunc
}

func startReader(t *testing.T, l *natslog.Log, fromSeq uint64) *reader {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &reader{msgs: make(chan natslog.Msg, 100), done: make(chan error, 1), cancel: cancel}
	go func() {
		r.done <- l.Read(ctx, fromSeq, func(m natslog.Msg) error {
			r.msgs <- m
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	return r
}

// expect receives the next messages and checks their seqs and data.
func (r *reader) expect(t *testing.T, seqs ...uint64) natslog.Msg {
	t.Helper()
	var m natslog.Msg
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for _, want := range seqs {
		select {
		case m = <-r.msgs:
		case err := <-r.done:
			t.Fatalf("Read returned %v while waiting for seq %d", err, want)
		case <-timeout.C:
			t.Fatalf("timed out waiting for seq %d", want)
		}
		if got := m.Seq; got != want {
			t.Fatalf("seq = %d, want %d", got, want)
		}
		if got, want := string(m.Data), fmt.Sprintf("m%d", want); got != want {
			t.Fatalf("data = %q, want %q", got, want)
		}
	}
	return m
}

func TestReadFromSeqThenLiveAppends(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 5)
	r := startReader(t, l, 3)
	first := r.expect(t, 3)
	if got, want := first.Pending, uint64(2); got != want {
		t.Errorf("Pending at seq 3 = %d, want %d", got, want)
	}
	if first.Time.IsZero() {
		t.Error("Time is zero")
	}
	if got, want := r.expect(t, 4, 5).Pending, uint64(0); got != want {
		t.Errorf("Pending at seq 5 = %d, want %d", got, want)
	}
	appendN(t, l, 2)
	r.expect(t, 6, 7)

	began := time.Now()
	r.cancel()
	select {
	case err := <-r.done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Read after cancel = %v, want context.Canceled", err)
		}
		t.Logf("Read returned %s after cancel", time.Since(began))
		if elapsed := time.Since(began); elapsed > time.Second {
			t.Errorf("Read took %s to stop after cancel", elapsed)
		}
		r.done <- err // for cleanup
	case <-time.After(5 * time.Second):
		t.Fatal("Read did not stop after cancel")
	}
}

func TestReadFromBeginning(t *testing.T) {
	l := openLog(t, natslog.Config{})
	r0 := startReader(t, l, 0)
	r1 := startReader(t, l, 1)
	appendN(t, l, 3)
	r0.expect(t, 1, 2, 3)
	r1.expect(t, 1, 2, 3)
}

func TestReadFromBeyondEndWaits(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 2)
	r := startReader(t, l, 4)
	appendN(t, l, 3)
	r.expect(t, 4, 5)
}

func TestReadReturnsCallbackError(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 3)
	stop := errors.New("stop here")
	var seen []uint64
	err := l.Read(testCtx(t), 1, func(m natslog.Msg) error {
		seen = append(seen, m.Seq)
		if m.Seq == 2 {
			return stop
		}
		return nil
	})
	if got, want := err, stop; got != want {
		t.Fatalf("Read = %v, want the callback's error unchanged", got)
	}
	if got, want := fmt.Sprint(seen), "[1 2]"; got != want {
		t.Errorf("seen = %s, want %s", got, want)
	}
}

// collectUntil runs ReadUntil and returns the delivered seqs.
func collectUntil(t *testing.T, l *natslog.Log, from, to uint64) []uint64 {
	t.Helper()
	var seen []uint64
	err := l.ReadUntil(testCtx(t), from, to, func(m natslog.Msg) error {
		seen = append(seen, m.Seq)
		return nil
	})
	if err != nil {
		t.Fatalf("ReadUntil(%d, %d): %v", from, to, err)
	}
	return seen
}

func TestReadUntil(t *testing.T) {
	l := openLog(t, natslog.Config{})
	if got, want := fmt.Sprint(collectUntil(t, l, 0, 0)), "[]"; got != want {
		t.Errorf("empty log: seen %s, want %s", got, want)
	}
	appendN(t, l, 5)
	for _, tc := range []struct {
		from, to uint64
		want     string
	}{
		{0, 0, "[1 2 3 4 5]"},
		{1, 3, "[1 2 3]"},
		{4, 0, "[4 5]"},
		{5, 5, "[5]"},
		{6, 0, "[]"},
		{4, 2, "[]"},
	} {
		if got := fmt.Sprint(collectUntil(t, l, tc.from, tc.to)); got != tc.want {
			t.Errorf("ReadUntil(%d, %d) = %s, want %s", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestReadUntilWaitsForFutureSeq(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 1)
	var seen []uint64
	done := make(chan error, 1)
	go func() {
		done <- l.ReadUntil(testCtx(t), 1, 3, func(m natslog.Msg) error {
			seen = append(seen, m.Seq)
			return nil
		})
	}()
	appendN(t, l, 3)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ReadUntil: %v", err)
		}
		if got, want := fmt.Sprint(seen), "[1 2 3]"; got != want {
			t.Errorf("seen = %s, want %s", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadUntil did not return after toSeq was appended")
	}
}

func TestReadLeavesNoGoroutinesOrConsumers(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 3)
	baseline := runtime.NumGoroutine()
	for range 5 {
		collectUntil(t, l, 1, 0)
		r := startReader(t, l, 1)
		r.expect(t, 1, 2, 3)
		r.cancel()
		r.done <- <-r.done
	}
	waitFor(t, 5*time.Second, fmt.Sprintf("goroutines back to %d", baseline), func() bool {
		return runtime.NumGoroutine() <= baseline
	})
	info, err := l.Stream().Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := info.State.Consumers, 0; got != want {
		t.Errorf("consumers left = %d, want %d", got, want)
	}
}

func TestGet(t *testing.T) {
	l := openLog(t, natslog.Config{})
	appendN(t, l, 2)
	m, err := l.Get(testCtx(t), 2)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got, want := string(m.Data), "m2"; got != want {
		t.Errorf("data = %q, want %q", got, want)
	}
	if got, want := m.Seq, uint64(2); got != want {
		t.Errorf("seq = %d, want %d", got, want)
	}
	if m.Time.IsZero() {
		t.Error("Time is zero")
	}
	if _, err := l.Get(testCtx(t), 3); !errors.Is(err, jetstream.ErrMsgNotFound) {
		t.Errorf("Get missing seq: err = %v, want ErrMsgNotFound", err)
	}
}
