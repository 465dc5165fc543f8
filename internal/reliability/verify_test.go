package reliability

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/noopkv"
)

// tally is what a run proved, for the test log and docs/reliability.md.
type tally struct {
	submitted, acked, appended, found, noops, refused, repeats, unknown, unknownLanded, retries int
	logEntries, refusedLanded                                                                   int
	noopRecord                                                                                  func(id string) (commands.NoopRecord, bool)
}

func (s tally) String() string {
	return fmt.Sprintf("%d commands submitted, %d acknowledged (%d appended, all %d found exactly once; %d no-ops, "+
		"%d answered as repeats of an earlier attempt), %d refused for good, %d unknown at the end (%d of them in the log), "+
		"%d attempts retried after an unknown outcome, %d log entries; %d refusals whose earlier attempt landed later",
		s.submitted, s.acked, s.appended, s.found, s.noops, s.repeats, s.refused, s.unknown, s.unknownLanded, s.retries,
		s.logEntries, s.refusedLanded)
}

// logIndex maps command ids to the sequences of the log entries carrying them.
func logIndex(ctx context.Context, t *testing.T, log *natslog.Log) (map[string][]uint64, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	idx := map[string][]uint64{}
	n := 0
	err := log.ReadUntil(ctx, 1, 0, func(m natslog.Msg) error {
		b, err := events.DecodeBatch(m.Data)
		if err != nil {
			return fmt.Errorf("seq %d: %w", m.Seq, err)
		}
		idx[b.CommandID] = append(idx[b.CommandID], m.Seq)
		n++
		return nil
	})
	if err != nil {
		t.Fatalf("reading the log: %v", err)
	}
	return idx, n
}

// verifyLog checks every outcome against the log: an acknowledged command
// that appended (or a repeat of one that did) is in the log exactly once at
// the sequence it was answered with; a no-op or a refusal is not in it; no
// command id is in the log twice.
//
// Two exceptions need an earlier attempt whose outcome was unknown, still
// queued on a live instance when the retry was answered (the cluster; a
// killed serve takes its queue with it). A refusal is not recorded, so that
// attempt may run later and append: SEMANTICS allows it ("a command that
// failed appended nothing and is simply run again"). A no-op is recorded
// (commands/noop_records.go): an id answered as a no-op must not be in the
// log at all.
//
// noops reads the ledger's no-op records (the bucket beside the stream): a
// repeat answering a no-op looks like a repeat answering an append (events
// 0, repeat true), and only the record tells them apart.
func verifyLog(t *testing.T, idx map[string][]uint64, entries int, rec *recorder, noops *noopkv.Records) tally {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := tally{submitted: len(rec.outcomes), retries: rec.retries, logEntries: entries, noopRecord: func(id string) (commands.NoopRecord, bool) {
		r, found, err := noops.Fetch(context.Background(), id)
		if err != nil {
			t.Fatalf("reading the no-op record of %s: %v", id, err)
		}
		return r, found
	}}
	for id, seqs := range idx {
		if len(seqs) > 1 {
			t.Errorf("command %s is in the log %d times, at %v", id, len(seqs), seqs)
		}
		if _, ok := rec.outcomes[id]; !ok && strings.HasPrefix(id, "w") {
			t.Errorf("the log holds %s at %v, a command id nobody submitted", id, seqs)
		}
	}
	for id, o := range rec.outcomes {
		s.check(t, o, idx[id])
	}
	return s
}

// check counts one outcome and checks it against the log entries of its id.
func (s *tally) check(t *testing.T, o *outcome, seqs []uint64) {
	switch {
	case o.unknown:
		s.unknown++
		if len(seqs) > 0 {
			s.unknownLanded++
		}
	case !o.ok:
		s.refused++
		if len(seqs) > 0 && len(o.trail) > 1 {
			s.refusedLanded++
		} else if len(seqs) > 0 {
			t.Errorf("%s %s was refused (%s) yet is in the log at %v; attempts: %q", o.name, o.id, o.code, seqs, o.trail)
		}
	case o.repeat && len(seqs) == 0 && s.isNoop(o):
		s.acked++
		s.noops++
		s.repeats++
	case o.events > 0 || o.repeat:
		s.acked++
		s.appended++
		if o.repeat {
			s.repeats++
		}
		if !slices.Equal(seqs, []uint64{o.seq}) {
			t.Errorf("%s %s was acknowledged at seq %d (events %d, repeat %v) but the log has it at %v; attempts: %q",
				o.name, o.id, o.seq, o.events, o.repeat, seqs, o.trail)
			return
		}
		s.found++
	default:
		s.acked++
		s.noops++
		s.checkNoop(t, o, seqs)
	}
}

func (s *tally) checkNoop(t *testing.T, o *outcome, seqs []uint64) {
	if len(seqs) > 0 {
		t.Errorf("%s %s was answered as a no-op yet is in the log at %v; attempts: %q", o.name, o.id, seqs, o.trail)
	}
	if !s.isNoop(o) {
		t.Errorf("%s %s was answered as a no-op at seq %d but has no such no-op record; attempts: %q", o.name, o.id, o.seq, o.trail)
	}
}

// isNoop reports whether the ledger holds a final no-op record of o's id at
// o's seq.
func (s *tally) isNoop(o *outcome) bool {
	r, found := s.noopRecord(o.id)
	return found && r.Final && r.Seq == o.seq && r.Command == o.name
}

// verifyReplay checks that the read model equals a replay of the log from
// scratch, key by key.
func verifyReplay(ctx context.Context, t *testing.T, l *ledger.Ledger) {
	t.Helper()
	last, err := l.Log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Store.WaitApplied(ctx, last); err != nil {
		t.Fatalf("read model did not reach seq %d: %v", last, err)
	}
	diffs, seq, keys, err := l.Verify(ctx, 10, nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	for _, d := range diffs {
		t.Errorf("read model differs from a replay at %q: live %q, replayed %q", d.Key, d.Live, d.Rebuilt)
	}
	t.Logf("read model at seq %d equals a replay of the log from scratch (%d keys compared)", seq, keys)
}

// openNoops reads the no-op records of l's stream on l's connection.
func openNoops(ctx context.Context, t *testing.T, l *ledger.Ledger) *noopkv.Records {
	t.Helper()
	info := l.Log.Stream().CachedInfo().Config
	r, err := noopkv.Open(ctx, l.Conn, info.Name, info.Replicas, nil)
	if err != nil {
		t.Fatalf("opening the no-op records: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}
