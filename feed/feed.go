package feed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/readmodel"
)

// Stream keeps the published records; its last record's header is the
// feed's checkpoint, so the checkpoint is exactly what subscribers saw.
const (
	Stream    = "PERMLEDGER_FEED"
	hdrSeq    = "Permledger-Seq"
	hdrRecord = "Permledger-Record" // "i/n": record i of the n of its log message
	subjectsW = "permledger.feed.>"
)

// Feed computes and publishes permission changes.
type Feed struct {
	log    *natslog.Log
	store  *readmodel.Store
	js     jetstream.JetStream
	stream jetstream.Stream
	logger *slog.Logger
}

// Open creates (or opens) the feed's stream.
func Open(ctx context.Context, nc *nats.Conn, log *natslog.Log, store *readmodel.Store, replicas int, logger *slog.Logger) (*Feed, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	st, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: Stream, Subjects: []string{subjectsW},
		Storage: jetstream.FileStorage, Replicas: max(replicas, 1), Duplicates: 10 * time.Minute})
	if err != nil {
		return nil, fmt.Errorf("feed: stream: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{log: log, store: store, js: js, stream: st, logger: logger}, nil
}

// Checkpoint is the last log sequence whose records were all published.
func (f *Feed) Checkpoint(ctx context.Context) (uint64, error) {
	info, err := f.stream.Info(ctx)
	if err != nil {
		return 0, err
	}
	if info.State.LastSeq == 0 {
		return 0, nil
	}
	m, err := f.stream.GetMsg(ctx, info.State.LastSeq)
	if err != nil {
		return 0, err
	}
	seq, _ := strconv.ParseUint(m.Header.Get(hdrSeq), 10, 64)
	var i, n int
	if _, err := fmt.Sscanf(m.Header.Get(hdrRecord), "%d/%d", &i, &n); err == nil && i+1 < n && seq > 0 {
		return seq - 1, nil // that message was published in part: publish it again (ids dedupe)
	}
	return seq, nil
}

// Run publishes the changes of every message after the checkpoint, forever.
func (f *Feed) Run(ctx context.Context) error {
	for {
		err := f.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		f.logger.Warn("feed: stopped; retrying", "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func (f *Feed) runOnce(ctx context.Context) error {
	from, err := f.Checkpoint(ctx)
	if err != nil {
		return err
	}
	return f.log.Read(ctx, from+1, func(m natslog.Msg) error {
		if err := f.store.WaitApplied(ctx, m.Seq); err != nil {
			return err
		}
		recs, err := f.Compute(m.Seq, m.Data)
		if err != nil {
			return err
		}
		return f.publish(ctx, m.Seq, recs)
	})
}

// publish sends a message's records, each with a message id of its own, so
// that publishing a message again after a crash sends nothing twice. A
// message without records publishes nothing; it is computed again (to no
// records) after a restart.
func (f *Feed) publish(ctx context.Context, seq uint64, recs []Record) error {
	for i, r := range recs {
		b, _ := json.Marshal(r)
		msg := &nats.Msg{Subject: r.Subject(), Data: b, Header: nats.Header{}}
		msg.Header.Set(hdrSeq, strconv.FormatUint(seq, 10))
		msg.Header.Set(hdrRecord, fmt.Sprintf("%d/%d", i, len(recs)))
		if _, err := f.js.PublishMsg(ctx, msg, jetstream.WithMsgID(fmt.Sprintf("%d-%d", seq, i))); err != nil {
			return fmt.Errorf("feed: publishing seq %d: %w", seq, err)
		}
	}
	return nil
}

// Compute turns one log message into records, from the read model's state
// just before and at its sequence.
func (f *Feed) Compute(seq uint64, data []byte) ([]Record, error) {
	batch, err := events.DecodeBatch(data)
	if errors.Is(err, events.ErrMalformed) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Record
	users := map[string]bool{}
	var at time.Time
	for _, env := range batch.Events {
		at = env.Time
		p, err := events.Decode(env)
		if err != nil {
			return nil, err
		}
		if u := events.UserOf(p); u != "" {
			users[u] = true
		}
		if r, ok := roleAt(f.store, seq, p); ok {
			out = append(out, r)
		}
	}
	for u := range users {
		recs, err := f.userDiff(u, seq)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	first := batch.Events[0]
	for i := range out {
		out[i].Seq, out[i].Time, out[i].Actor, out[i].CommandID = seq, at, first.Actor, first.CommandID
	}
	return out, nil
}

func (f *Feed) userDiff(user string, seq uint64) ([]Record, error) {
	var before, after map[holding]bool
	for i, at := range []uint64{seq - 1, seq} {
		err := f.store.At(at, func(p *readmodel.PastView) error {
			u, err := p.User(user)
			if err != nil {
				return err
			}
			h := holdings(u, func(name string) *readmodel.Role { return pastRole(p, name) })
			if i == 0 {
				before = h
			} else {
				after = h
			}
			return p.Err()
		})
		if err != nil {
			return nil, err
		}
	}
	return userChanges(user, before, after), nil
}

func roleAt(st *readmodel.Store, seq uint64, p events.Payload) (Record, bool) {
	var rec Record
	var ok bool
	_ = st.At(seq, func(v *readmodel.PastView) error {
		rec, ok = roleRecord(p, func(name string) *readmodel.Role { return pastRole(v, name) })
		return nil
	})
	return rec, ok
}

func pastRole(p *readmodel.PastView, name string) *readmodel.Role {
	r, ok := p.Role(name)
	if !ok {
		return nil
	}
	return &readmodel.Role{Role: *r}
}
