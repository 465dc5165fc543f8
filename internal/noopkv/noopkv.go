// Package noopkv keeps the no-op records of commands (commands.NoopRecords)
// in a JetStream key-value bucket beside the event stream, shared by every
// permledger instance on that stream.
//
// A command that succeeded without appending leaves nothing in the log, so
// its command id cannot be remembered by the read model (which is rebuilt
// from the log). Each instance writes the records it answers into the
// bucket (create-only: the first record of an id wins) and watches the
// bucket into memory, so that the lookup every command makes costs no round
// trip. What that leaves open is written in docs/reliability.md: an
// attempt of the same id that starts its decision on another instance in
// the few milliseconds before the record reaches that instance's watcher.
//
// Records are kept for the life of the stream, like the read model's
// records of appended commands; each costs about 150 bytes in memory.
package noopkv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/commands"
)

// Bucket returns the bucket name used beside stream.
func Bucket(stream string) string { return stream + "_noops" }

// Records is a commands.NoopRecords backed by a key-value bucket.
type Records struct {
	kv     jetstream.KeyValue
	logger *slog.Logger
	w      jetstream.KeyWatcher
	done   chan struct{}

	mu   sync.RWMutex
	recs map[string]commands.NoopRecord // by bucket key
	revs map[string]written             // the records this process created, by key
}

// Open creates the bucket (or binds to it) with the stream's replicas,
// loads every record and keeps watching for new ones until Close. nc stays
// owned by the caller.
func Open(ctx context.Context, nc *nats.Conn, stream string, replicas int, logger *slog.Logger) (*Records, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if replicas <= 0 {
		replicas = 1
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("noopkv: %w", err)
	}
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      Bucket(stream),
		Description: "permledger: command ids answered as no-ops (stream " + stream + ")",
		History:     1,
		Replicas:    replicas,
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("noopkv: opening bucket %s: %w", Bucket(stream), err)
	}
	r := &Records{kv: kv, logger: logger, done: make(chan struct{}), recs: map[string]commands.NoopRecord{}, revs: map[string]written{}}
	// The watcher's context does not stop it: Close does, with Stop.
	if r.w, err = kv.WatchAll(context.Background()); err != nil {
		return nil, fmt.Errorf("noopkv: watching bucket %s: %w", Bucket(stream), err)
	}
	loaded := make(chan struct{})
	go r.watch(loaded)
	select {
	case <-loaded:
		return r, nil
	case <-r.done:
		return nil, fmt.Errorf("noopkv: watching bucket %s ended before its records were loaded", Bucket(stream))
	case <-ctx.Done():
		r.Close()
		return nil, fmt.Errorf("noopkv: loading bucket %s: %w", Bucket(stream), ctx.Err())
	}
}

// watch copies every record the bucket holds or receives into memory. The
// watcher marks the end of the initial values with a nil entry.
func (r *Records) watch(loaded chan struct{}) {
	defer close(r.done)
	for e := range r.w.Updates() {
		if e == nil {
			if loaded != nil {
				close(loaded)
				loaded = nil
			}
			continue
		}
		if e.Operation() != jetstream.KeyValuePut {
			r.mu.Lock()
			delete(r.recs, e.Key())
			r.mu.Unlock()
			continue
		}
		rec, err := decode(e.Value())
		if err != nil {
			r.logger.Error("noopkv: unreadable no-op record", "key", e.Key(), "error", err)
			continue
		}
		r.mu.Lock()
		r.recs[e.Key()] = rec // the bucket's order is the truth
		r.mu.Unlock()
	}
}

// Lookup returns the record of id if this instance has seen it.
func (r *Records) Lookup(id string) (commands.NoopRecord, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	rec, ok := r.recs[key(id)]
	return rec, ok
}

// Fetch reads the record of id from the bucket.
func (r *Records) Fetch(ctx context.Context, id string) (commands.NoopRecord, bool, error) {
	e, err := r.kv.Get(ctx, key(id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return commands.NoopRecord{}, false, nil
	}
	if err != nil {
		return commands.NoopRecord{}, false, err
	}
	rec, err := decode(e.Value())
	if err != nil {
		return rec, false, err
	}
	return r.keep(rec), true, nil
}

// Finalize writes the final form of rec, a pending record this process
// created, at the revision it created.
func (r *Records) Finalize(ctx context.Context, rec commands.NoopRecord) error {
	k := key(rec.CommandID)
	rev, err := r.revision(ctx, k, rec)
	if err != nil {
		return err
	}
	final := rec
	final.Final = true
	data, err := json.Marshal(final)
	if err != nil {
		return err
	}
	if _, err := r.kv.Update(ctx, k, data, rev); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.revs, k)
	r.recs[k] = final
	r.mu.Unlock()
	return nil
}

// Forget deletes rec if it is still the record of its id.
func (r *Records) Forget(ctx context.Context, rec commands.NoopRecord) error {
	k := key(rec.CommandID)
	rev, err := r.revision(ctx, k, rec)
	if errors.Is(err, errNotInForce) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := r.kv.Delete(ctx, k, jetstream.LastRevision(rev)); err != nil {
		return err
	}
	r.mu.Lock()
	if r.revs[k].rec == rec {
		delete(r.revs, k)
	}
	if r.recs[k] == rec {
		delete(r.recs, k)
	}
	r.mu.Unlock()
	return nil
}

// written is a record this process created, at its bucket revision.
type written struct {
	rec commands.NoopRecord
	rev uint64
}

var errNotInForce = errors.New("noopkv: the record is no longer in force")

// revision returns the bucket revision of rec: the one this process
// created it at, else read from the bucket (errNotInForce if the bucket
// holds another record or none).
func (r *Records) revision(ctx context.Context, k string, rec commands.NoopRecord) (uint64, error) {
	r.mu.RLock()
	w, ok := r.revs[k]
	r.mu.RUnlock()
	if ok && w.rec == rec {
		return w.rev, nil
	}
	e, err := r.kv.Get(ctx, k)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, errNotInForce
	}
	if err != nil {
		return 0, err
	}
	if got, err := decode(e.Value()); err != nil {
		return 0, err
	} else if got != rec {
		return 0, errNotInForce
	}
	return e.Revision(), nil
}

// Record writes rec unless the bucket holds a record for its id, and
// returns the record in force.
func (r *Records) Record(ctx context.Context, rec commands.NoopRecord) (commands.NoopRecord, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return commands.NoopRecord{}, err
	}
	k := key(rec.CommandID)
	rev, err := r.kv.Create(ctx, k, data)
	if err == nil {
		r.mu.Lock()
		r.revs[k] = written{rec: rec, rev: rev}
		r.mu.Unlock()
	}
	if errors.Is(err, jetstream.ErrKeyExists) {
		e, gerr := r.kv.Get(ctx, k)
		if gerr != nil {
			return commands.NoopRecord{}, gerr
		}
		if rec, err = decode(e.Value()); err != nil {
			return commands.NoopRecord{}, err
		}
	} else if err != nil {
		return commands.NoopRecord{}, err
	}
	return r.keep(rec), nil
}

// keep stores rec, as the bucket holds it, in memory and returns it.
func (r *Records) keep(rec commands.NoopRecord) commands.NoopRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs[key(rec.CommandID)] = rec
	return rec
}

// Len returns how many records this instance holds.
func (r *Records) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.recs)
}

// Close stops watching (closing the connection stops it too).
func (r *Records) Close() {
	_ = r.w.Stop()
	<-r.done
}

// key is a bucket key for a command id: any string a client chose becomes
// a fixed-size key of allowed characters.
func key(id string) string {
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

func decode(data []byte) (commands.NoopRecord, error) {
	var rec commands.NoopRecord
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, err
	}
	if rec.CommandID == "" || rec.Command == "" {
		return rec, fmt.Errorf("record without command id or command: %q", data)
	}
	return rec, nil
}
