package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"

	"github.com/permledger/permledger/catalog"
)

// Options tune the Pebble database.
type Options struct {
	// CacheSize is Pebble's block cache in bytes (0: DefaultCacheSize).
	CacheSize int64
	// Sync makes every applied batch fsync (the log is the truth, so the
	// default is to let the OS write it; a lost tail is re-applied from the
	// log because the applied sequence is in the same batch).
	Sync bool
	// Logger receives Pebble's errors (nil: slog.Default()).
	Logger *slog.Logger
	// UserCacheBytes bounds the user documents kept in memory for checks
	// (0: DefaultUserCacheBytes; negative: none, every check reads Pebble).
	UserCacheBytes int64
}

// DefaultUserCacheBytes holds the documents of about 1.4 million users of
// ten holdings (0.45 KiB each).
const DefaultUserCacheBytes = 640 << 20

// Store is the read model: Pebble plus in-memory caches of the small,
// hot state (roles, catalog, settings), kept consistent with Pebble by mu.
type Store struct {
	db   *pebble.DB
	ref  *dbRef // db with its directory and its readers
	sync bool

	mu sync.RWMutex // held for reading by views, for writing while a batch commits
	// applied is stored under mu's write lock, with the maps below, and may
	// be read without it: Applied never waits for a commit in progress.
	applied  atomic.Uint64
	roles    map[string]*Role
	catalog  *catalog.Catalog
	settings Settings
	docs     *userCache  // nil: no cache (and in a snapshot's frozen copy)
	tokens   *tokenCache // nil in a snapshot's frozen copy

	// floor is the last sequence this process appended (RaiseFloor): reads
	// on this instance wait for it, so that a command answered before its
	// events are applied is still read back here.
	floor atomic.Uint64

	waitMu sync.Mutex
	waitCh chan struct{} // closed and replaced whenever applied advances
	closed bool
}

// ErrClosed is returned by calls on a closed store.
var ErrClosed = errors.New("readmodel: closed")

// DefaultCacheSize is Pebble's block cache when Options.CacheSize is 0.
// Checks read users from the user cache; Pebble's cache serves commands
// (snapshots), history and the users the user cache does not hold. It
// fills only as far as the database is read.
const DefaultCacheSize = 256 << 20

// Open opens (or creates) the read model in dir and loads its caches.
func Open(dir string, o Options) (*Store, error) {
	db, err := OpenPebble(dir, o)
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, ref: &dbRef{db: db, dir: dir}, sync: o.Sync, waitCh: make(chan struct{}), tokens: &tokenCache{}}
	if err := s.load(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.loadUserCache(o.UserCacheBytes); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// OpenPebble opens the Pebble database in dir with the read model's options
// (block cache, bloom filters, memtable size), without the read model on top:
// for tools that measure or inspect the database itself.
func OpenPebble(dir string, o Options) (*pebble.DB, error) {
	size := o.CacheSize
	if size <= 0 {
		size = DefaultCacheSize
	}
	c := pebble.NewCache(size)
	defer c.Unref()
	lg := o.Logger
	if lg == nil {
		lg = slog.Default()
	}
	opts := &pebble.Options{Cache: c, Logger: pebbleLogger{lg}, MemTableSize: 32 << 20}
	// A check is a Get of a key that exists in one level: a bloom filter per
	// table skips the other levels without reading their blocks.
	for i := range opts.Levels {
		opts.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("readmodel: open %s: %w", dir, err)
	}
	return db, nil
}

func (s *Store) load() error {
	applied, err := getU64(s.db, keyApplied)
	if err != nil {
		return err
	}
	roles, err := loadRoles(s.db)
	if err != nil {
		return err
	}
	settings := DefaultSettings()
	if _, err := getJSON(s.db, keySettings, &settings); err != nil {
		return err
	}
	cat, err := loadCatalog(s.db)
	if err != nil {
		return err
	}
	s.roles, s.settings, s.catalog = roles, settings, cat
	s.applied.Store(applied)
	return nil
}

// loadUserCache reads every user document into the cache.
func (s *Store) loadUserCache(limit int64) error {
	if limit < 0 {
		return nil
	}
	if limit == 0 {
		limit = DefaultUserCacheBytes
	}
	c := newUserCache(limit)
	err := scan(s.db, pUser, func(k, v []byte) error {
		name := string(k[len(pUser):])
		if len(v) > 0 && v[0] == '{' { // written as JSON by an earlier build
			var u User
			if err := decodeUser(v, &u); err != nil {
				return fmt.Errorf("readmodel: decode %q: %w", k, err)
			}
			v = encodeUser(nil, &u)
		}
		c.put(name, v)
		return nil
	})
	if err != nil {
		c.release()
		return err
	}
	s.docs = c
	return nil
}

func loadRoles(r reader) (map[string]*Role, error) {
	roles := map[string]*Role{}
	err := scan(r, pRole, func(k, v []byte) error {
		var role Role
		if err := json.Unmarshal(v, &role); err != nil {
			return fmt.Errorf("readmodel: role %q: %w", k, err)
		}
		roles[role.Name] = &role
		return nil
	})
	return roles, err
}

func loadCatalog(r reader) (*catalog.Catalog, error) {
	b, err := getRaw(r, keyCatalog)
	if err != nil || b == nil {
		return nil, err
	}
	return catalog.Parse(b)
}

// Close closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitMu.Lock()
	s.closed = true
	close(s.waitCh)
	s.waitCh = make(chan struct{})
	s.waitMu.Unlock()
	s.ref.users.Wait()
	if s.docs != nil {
		s.docs.release()
		s.docs = nil
	}
	return s.db.Close()
}

// Applied is the last stream sequence applied to the read model.
func (s *Store) Applied() uint64 { return s.applied.Load() }

// RaiseFloor records that this process appended seq: the command handler
// answers a command once its events are in the log, and the queries wait
// for Floor before they read, so that a client reads its own writes on
// this instance without min_seq (another instance needs min_seq).
func (s *Store) RaiseFloor(seq uint64) {
	for {
		cur := s.floor.Load()
		if seq <= cur || s.floor.CompareAndSwap(cur, seq) {
			return
		}
	}
}

// Floor is the last sequence this process appended (RaiseFloor).
func (s *Store) Floor() uint64 { return s.floor.Load() }

// WaitApplied blocks until the read model has applied seq, ctx is done, or the
// store closes.
func (s *Store) WaitApplied(ctx context.Context, seq uint64) error {
	if s.Applied() >= seq {
		return nil // the common case: no lock
	}
	for {
		s.waitMu.Lock()
		ch, closed := s.waitCh, s.closed
		s.waitMu.Unlock()
		if closed {
			return ErrClosed
		}
		if s.Applied() >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for sequence %d (applied %d): %w", seq, s.Applied(), ctx.Err())
		}
	}
}

func (s *Store) notify() {
	s.waitMu.Lock()
	close(s.waitCh)
	s.waitCh = make(chan struct{})
	s.waitMu.Unlock()
}

// View runs fn with a consistent view of the current state: the projector
// cannot commit while fn runs, so every read in fn is at the same sequence.
func (s *Store) View(fn func(*View) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&View{s: s, r: s.db})
}

// reader is what both *pebble.DB and an indexed *pebble.Batch offer.
type reader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
}

func getRaw(r reader, k []byte) ([]byte, error) {
	v, closer, err := r.Get(k)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("readmodel: get %q: %w", k, err)
	}
	out := append([]byte{}, v...)
	closer.Close()
	return out, nil
}

// getJSON decodes the value at k into out; found is false if there is none.
func getJSON(r reader, k []byte, out any) (found bool, err error) {
	b, err := getRaw(r, k)
	if err != nil || b == nil {
		return false, err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("readmodel: decode %q: %w", k, err)
	}
	return true, nil
}

func getU64(r reader, k []byte) (uint64, error) {
	b, err := getRaw(r, k)
	if err != nil {
		return 0, err
	}
	return u64(b), nil
}

// scan calls fn for every key with prefix p, in order.
func scan(r reader, p []byte, fn func(k, v []byte) error) error {
	return scanRange(r, p, prefixEnd(p), fn)
}

func scanRange(r reader, lower, upper []byte, fn func(k, v []byte) error) error {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return fmt.Errorf("readmodel: iterate: %w", err)
	}
	defer it.Close()
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return fmt.Errorf("readmodel: iterate: %w", err)
		}
		if err := fn(it.Key(), v); err != nil {
			return err
		}
	}
	return it.Error()
}

// exists reports whether any key has prefix p.
func exists(r reader, p []byte) (bool, error) {
	found := false
	errStop := errors.New("stop")
	err := scan(r, p, func(k, v []byte) error { found = true; return errStop })
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	return found, nil
}

// latestAt returns the value of the newest key prefix+name+0x00+seq with
// seq <= at (a history lookup), or nil.
func latestAt(r reader, prefix []byte, name string, at uint64) ([]byte, bool, error) {
	lower, upper := nameScope(prefix, name)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, false, fmt.Errorf("readmodel: iterate: %w", err)
	}
	defer it.Close()
	if at == ^uint64(0) {
		if !it.Last() {
			return nil, false, it.Error()
		}
	} else if !it.SeekLT(seqKey(prefix, name, at+1)) {
		return nil, false, it.Error()
	}
	v, err := it.ValueAndErr()
	if err != nil {
		return nil, false, err
	}
	return append([]byte{}, v...), true, nil
}
