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
			if !bytes.Equal(a.Value(), b.Value()) {
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
