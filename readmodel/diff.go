package readmodel

import (
	"bytes"

	"github.com/cockroachdb/pebble/v2"
)

// Difference is one key on which two read models disagree (nil: absent).
type Difference struct {
	Key     string
	Live    []byte
	Rebuilt []byte
}

// Diff compares a live snapshot with a rebuilt store key by key, returning
// at most limit differences (0: all). Equal read models return none.
func Diff(live *Snapshot, rebuilt *Store, limit int) ([]Difference, int, error) {
	a, err := live.snap.NewIter(&pebble.IterOptions{})
	if err != nil {
		return nil, 0, err
	}
	defer a.Close()
	b, err := rebuilt.db.NewIter(&pebble.IterOptions{})
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	var out []Difference
	n := 0
	okA, okB := a.First(), b.First()
	for okA || okB {
		n++
		var d *Difference
		switch c := compareIters(a, okA, b, okB); {
		case c < 0:
			d = &Difference{Key: string(a.Key()), Live: clone(a.Value())}
			okA = a.Next()
		case c > 0:
			d = &Difference{Key: string(b.Key()), Rebuilt: clone(b.Value())}
			okB = b.Next()
		default:
			if !sameValue(a.Key(), a.Value(), b.Value()) {
				d = &Difference{Key: string(a.Key()), Live: clone(a.Value()), Rebuilt: clone(b.Value())}
			}
			okA, okB = a.Next(), b.Next()
		}
		if d != nil {
			out = append(out, *d)
			if limit > 0 && len(out) >= limit {
				break
			}
		}
	}
	return out, n, nil
}

func compareIters(a *pebble.Iterator, okA bool, b *pebble.Iterator, okB bool) int {
	switch {
	case !okA:
		return 1
	case !okB:
		return -1
	}
	return bytes.Compare(a.Key(), b.Key())
}

func clone(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return append([]byte{}, b...)
}

// sameValue compares two values of key k. User documents compare by content,
// so that a read model written before user documents were binary (JSON) does
// not differ from its rebuild on every user.
func sameValue(k, a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if !bytes.HasPrefix(k, pUser) && !bytes.HasPrefix(k, pUserHist) || len(a) == 0 || len(b) == 0 {
		return false
	}
	var ua, ub User
	if decodeUser(a, &ua) != nil || decodeUser(b, &ub) != nil {
		return false
	}
	return bytes.Equal(encodeUser(nil, &ua), encodeUser(nil, &ub))
}
