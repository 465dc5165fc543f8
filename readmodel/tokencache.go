package readmodel

import (
	"sync"
	"sync/atomic"
)

// tokenCache keeps live tokens by hash, as read from Pebble, so that a
// command or a check by token skips a Pebble read and a JSON decode (about
// 18 µs of a grant's critical path, issue 7). Only tokens that exist are
// kept. Every write or deletion of a token goes through a tx, whose commit
// forgets the hashes it touched under the store's write lock
// (tx.changedTokens). Entries are added only by views
// that hold the read lock, at the store's current sequence, so no entry
// can outlive its deletion. Snapshots (a frozen Store) have no cache.
type tokenCache struct {
	m sync.Map // hash -> Token
	n atomic.Int64
}

// tokenCacheMax bounds the entries; past it the cache starts over.
const tokenCacheMax = 1 << 16

func (c *tokenCache) get(hash string) (Token, bool) {
	v, ok := c.m.Load(hash)
	if !ok {
		return Token{}, false
	}
	return v.(Token), true
}

func (c *tokenCache) add(hash string, t Token) {
	if c.n.Add(1) > tokenCacheMax {
		c.m.Clear()
		c.n.Store(1)
	}
	c.m.Store(hash, t)
}

// forget drops the hashes, or every entry if all.
func (c *tokenCache) forget(hashes []string, all bool) {
	if all {
		c.m.Clear()
		c.n.Store(0)
		return
	}
	for _, h := range hashes {
		c.m.Delete(h)
	}
}
