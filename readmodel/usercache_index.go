package readmodel

import (
	"encoding/binary"
	"math/bits"
)

// docIndex maps a user-name hash to its document: an open-addressing table
// (linear probing, backward-shift deletion) in memory outside the Go heap,
// so that a lookup among millions of users is about one cache miss and no
// TLB miss on huge pages, where a Go map takes several.
type docIndex struct {
	mem  []byte // pairs of little-endian uint64: key (0: empty), docRef
	n    int
	mask uint64
}

const minIndexSlots = 1 << 10

func newDocIndex(slots int) *docIndex {
	if slots <= minIndexSlots {
		slots = minIndexSlots
	} else {
		slots = 1 << bits.Len(uint(slots-1))
	}
	return &docIndex{mem: allocChunk(slots * 16), mask: uint64(slots - 1)}
}

// key is never 0: 0 marks an empty slot (a hash of 0 shares 1's slot; the
// cache tells the two names apart by the name in the document).
func indexKey(h uint64) uint64 { return max(h, 1) }

func (x *docIndex) slot(i uint64) (key uint64, ref docRef) {
	p := x.mem[i*16 : i*16+16]
	return binary.LittleEndian.Uint64(p), docRef(binary.LittleEndian.Uint64(p[8:]))
}

func (x *docIndex) setSlot(i, key uint64, ref docRef) {
	p := x.mem[i*16 : i*16+16]
	binary.LittleEndian.PutUint64(p, key)
	binary.LittleEndian.PutUint64(p[8:], uint64(ref))
}

func (x *docIndex) get(h uint64) (docRef, bool) {
	k := indexKey(h)
	for i := k & x.mask; ; i = (i + 1) & x.mask {
		key, ref := x.slot(i)
		if key == k {
			return ref, true
		}
		if key == 0 {
			return 0, false
		}
	}
}

// set stores ref under h and returns the table, which is a new one if it
// had to grow (only when h is a new key).
func (x *docIndex) set(h uint64, ref docRef) *docIndex {
	k := indexKey(h)
	i := k & x.mask
	for {
		key, _ := x.slot(i)
		if key == k {
			x.setSlot(i, k, ref)
			return x
		}
		if key == 0 {
			break
		}
		i = (i + 1) & x.mask
	}
	if x.n+1 > int(x.mask+1)*6/10 {
		x = x.grow()
		return x.set(k, ref)
	}
	x.n++
	x.setSlot(i, k, ref)
	return x
}

// grow returns a table twice the size with the same entries, freeing x.
func (x *docIndex) grow() *docIndex {
	y := newDocIndex(int(x.mask+1) * 2)
	x.each(func(key uint64, ref docRef) { y.set(key, ref) })
	freeChunk(x.mem)
	return y
}

func (x *docIndex) del(h uint64) {
	k := indexKey(h)
	i := k & x.mask
	for {
		key, _ := x.slot(i)
		if key == 0 {
			return
		}
		if key == k {
			break
		}
		i = (i + 1) & x.mask
	}
	// Backward shift: move later entries of the run into the hole when
	// their home slot allows, so that probing never needs tombstones.
	for j := (i + 1) & x.mask; ; j = (j + 1) & x.mask {
		key, ref := x.slot(j)
		if key == 0 {
			break
		}
		home := key & x.mask
		if (j-home)&x.mask >= (j-i)&x.mask {
			x.setSlot(i, key, ref)
			i = j
		}
	}
	x.setSlot(i, 0, 0)
	x.n--
}

// each calls fn for every entry; fn may replace the entry's ref with set
// (same key: the table does not change shape).
func (x *docIndex) each(fn func(key uint64, ref docRef)) {
	for i := uint64(0); i <= x.mask; i++ {
		if key, ref := x.slot(i); key != 0 {
			fn(key, ref)
		}
	}
}

func (x *docIndex) free() { freeChunk(x.mem) }
