package readmodel

import (
	"encoding/binary"
	"hash/maphash"
)

// userCache holds the current document of every user (the u/<user> values)
// in memory, so that a check reads its user with one hash lookup instead of
// a walk down Pebble's levels: with uniformly spread checks over 10^6 users
// a Pebble Get costs about twice what it costs over 10^3, even with every
// block cached, and the cache makes a check's cost independent of the
// number of users (issue 7).
//
// Documents live in arena chunks allocated outside the Go heap where the
// platform allows, so that the garbage collector neither scans them nor
// counts them when it sizes the heap. The cache is bounded: past limit bytes
// it stops taking new users, and it is then incomplete (a miss must be read
// from Pebble).
//
// It is written only while the store's write lock is held (load, commit,
// replace, close) and read under the read lock, so readers see exactly the
// applied state. Snapshots never read it: it has only the latest state.
type userCache struct {
	seed      maphash.Seed
	limit     int64
	index     *docIndex       // hash of the user name -> document
	clashes   map[uint64]bool // hashes two names share: those users are not cached
	chunks    [][]byte        // nil: a chunk freed by compaction
	chunkLive []int64         // live bytes per chunk
	chunkUsed []int64         // bytes written per chunk
	cur       int             // the chunk being filled (-1: none)
	used      int             // bytes used in it
	live      int64
	dead      int64
	complete  bool // every existing user is cached: a miss means no such user
}

// docRef locates a document: chunk (16 bits), offset (25 bits), length
// (23 bits), packed so that a lookup is one map read.
type docRef uint64

func makeRef(chunk, off, n int) docRef { return docRef(chunk)<<48 | docRef(off)<<23 | docRef(n) }

func (r docRef) chunk() int { return int(r >> 48) }
func (r docRef) off() int   { return int(r>>23) & (1<<25 - 1) }
func (r docRef) n() int     { return int(r) & (1<<23 - 1) }

const (
	cacheChunk  = 32 << 20       // fits docRef's offset
	cacheMaxDoc = cacheChunk / 8 // fits docRef's length; a larger document is read from Pebble
)

func newUserCache(limit int64) *userCache {
	return &userCache{seed: maphash.MakeSeed(), limit: limit, index: newDocIndex(0),
		clashes: map[uint64]bool{}, cur: -1, complete: true}
}

func (c *userCache) hash(name string) uint64 { return maphash.String(c.seed, name) }

// get returns the user's document; known reports whether a miss means that
// the user does not exist.
func (c *userCache) get(name string) (doc []byte, found, known bool) {
	r, ok := c.index.get(c.hash(name))
	if !ok {
		return nil, false, c.complete
	}
	doc = c.doc(r)
	if !isDocOf(doc, name) {
		return nil, false, false
	}
	return doc, true, true
}

func (c *userCache) doc(r docRef) []byte {
	off, n := r.off(), r.n()
	return c.chunks[r.chunk()][off : off+n : off+n]
}

// docName reads the name at the start of a binary user document (a slice
// of doc: comparing it with string(...) == does not allocate).
func docName(doc []byte) []byte {
	if len(doc) < 2 || doc[0] != userFormat {
		return nil
	}
	n, k := binary.Uvarint(doc[1:])
	if k <= 0 || n > uint64(len(doc)-1-k) {
		return nil
	}
	return doc[1+k : 1+k+int(n)]
}

// isDocOf reports whether doc is name's document.
func isDocOf(doc []byte, name string) bool {
	n := docName(doc)
	return n != nil && string(n) == name
}

// put caches (a copy of) the user's new document, or forgets the user if
// the document cannot be cached, so that a stale one is never served.
func (c *userCache) put(name string, doc []byte) {
	h := c.hash(name)
	if c.clashes[h] {
		c.complete = false
		return
	}
	r, exists := c.index.get(h)
	if exists && !isDocOf(c.doc(r), name) {
		c.drop(h, r)
		c.clashes[h], c.complete = true, false
		return
	}
	if len(doc) > cacheMaxDoc || !isDocOf(doc, name) || !exists && c.live+int64(len(doc)) > c.limit {
		if exists {
			c.drop(h, r)
		}
		c.complete = false
		return
	}
	if exists {
		c.forget(r)
	}
	c.index = c.index.set(h, c.store(doc))
	c.maybeCompact()
}

// remove forgets a deleted user.
func (c *userCache) remove(name string) {
	h := c.hash(name)
	if r, ok := c.index.get(h); ok && isDocOf(c.doc(r), name) {
		c.drop(h, r)
	}
}

func (c *userCache) drop(h uint64, r docRef) {
	c.index.del(h)
	c.forget(r)
}

// forget accounts for a document that is no longer live.
func (c *userCache) forget(r docRef) {
	c.live -= int64(r.n())
	c.dead += int64(r.n())
	c.chunkLive[r.chunk()] -= int64(r.n())
}

// store copies doc into the arena and counts it live.
func (c *userCache) store(doc []byte) docRef {
	if c.cur < 0 || c.used+len(doc) > cacheChunk {
		c.cur, c.used = c.newChunk(), 0
	}
	copy(c.chunks[c.cur][c.used:], doc)
	r := makeRef(c.cur, c.used, len(doc))
	c.used += len(doc)
	c.live += int64(len(doc))
	c.chunkLive[c.cur] += int64(len(doc))
	c.chunkUsed[c.cur] += int64(len(doc))
	return r
}

// newChunk allocates a chunk, reusing the index of a freed one so that
// indexes stay small however long the cache lives.
func (c *userCache) newChunk() int {
	for i, ch := range c.chunks {
		if ch == nil {
			c.chunks[i] = allocChunk(cacheChunk)
			return i
		}
	}
	c.chunks = append(c.chunks, allocChunk(cacheChunk))
	c.chunkLive, c.chunkUsed = append(c.chunkLive, 0), append(c.chunkUsed, 0)
	return len(c.chunks) - 1
}

// maybeCompact moves the live documents out of chunks that are less than
// 70% live and frees them, one chunk at a time (a pause of a few
// milliseconds), so that the arena stays within about 1.4 times the live
// documents.
func (c *userCache) maybeCompact() {
	for c.dead > 2*cacheChunk {
		victim := -1
		for i := range c.chunks {
			if i != c.cur && c.chunks[i] != nil && c.chunkLive[i] < cacheChunk*7/10 && (victim < 0 || c.chunkLive[i] < c.chunkLive[victim]) {
				victim = i
			}
		}
		if victim < 0 {
			return
		}
		c.relocate(victim)
	}
}

func (c *userCache) relocate(victim int) {
	old := c.chunks[victim]
	c.index.each(func(key uint64, r docRef) {
		if r.chunk() == victim {
			c.index.set(key, c.store(old[r.off():r.off()+r.n()])) // an existing key: no growth
			c.live -= int64(r.n())
		}
	})
	c.dead -= c.chunkUsed[victim] - c.chunkLive[victim]
	c.chunkLive[victim], c.chunkUsed[victim] = 0, 0
	c.chunks[victim] = nil
	freeChunk(old)
}

// release frees the index and the arena; the cache must not be used
// afterwards.
func (c *userCache) release() {
	for _, ch := range c.chunks {
		if ch != nil {
			freeChunk(ch)
		}
	}
	if c.index != nil {
		c.index.free()
	}
	c.chunks, c.chunkLive, c.chunkUsed, c.index, c.cur = nil, nil, nil, nil, -1
	c.complete = false
}
