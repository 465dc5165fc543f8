package readmodel

import (
	"bytes"
	"hash/maphash"
	"sync"

	"github.com/permledger/permledger/catalog"
)

// pastCatalogs caches the catalogs of the history (hc/ keys) parsed, by
// content: a point-in-time view would otherwise parse the catalog's JSON
// every time, which was 85% of a check at a past sequence
// (BenchmarkPointInTimeCheck/at_seq). A ledger records a catalog only when
// the catalog in force changes, so there are few; parsed catalogs are
// read-only and shared, as the current one is.
var pastCatalogs = catalogCache{seed: maphash.MakeSeed(), m: map[uint64]parsedCatalog{}}

// catalogCacheMax bounds the cache; past it the cache starts over.
const catalogCacheMax = 32

type catalogCache struct {
	seed maphash.Seed
	mu   sync.Mutex
	m    map[uint64]parsedCatalog
}

type parsedCatalog struct {
	raw []byte
	cat *catalog.Catalog
}

// parse returns catalog.Parse(raw), from the cache when the same bytes were
// parsed before.
func (c *catalogCache) parse(raw []byte) (*catalog.Catalog, error) {
	h := maphash.Bytes(c.seed, raw)
	c.mu.Lock()
	p, ok := c.m[h]
	c.mu.Unlock()
	if ok && bytes.Equal(p.raw, raw) {
		return p.cat, nil
	}
	cat, err := catalog.Parse(raw)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= catalogCacheMax {
		clear(c.m)
	}
	c.m[h] = parsedCatalog{raw: bytes.Clone(raw), cat: cat}
	c.mu.Unlock()
	return cat, nil
}
