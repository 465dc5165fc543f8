package readmodel

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"testing"
)

// The token cache never answers other than Pebble: after every Apply of a
// random log (tokens issued, revoked one user at a time, all at once, with
// their users deleted), every token is looked up through a view (which
// fills the cache) and compared with a read of the database.
func TestTokenCacheFollowsTheLog(t *testing.T) {
	for seed := range uint64(4) {
		st, err := Open(t.TempDir(), Options{CacheSize: 1 << 20, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		msgs := randomLog(t, 300, seed)
		r := rand.New(rand.NewPCG(seed, 3))
		cached, revoked := 0, 0
		for i := 0; i < len(msgs); {
			n := 1 + r.IntN(5)
			if _, err := st.Apply(msgs[i:min(i+n, len(msgs))]); err != nil {
				t.Fatal(err)
			}
			i += n
			for k := range 8 {
				hash := fmt.Sprint("tok", k)
				_, wasCached := st.tokens.get(hash)
				var got *Token
				err := st.View(func(v *View) error {
					var err error
					got, err = v.Token(hash)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				var want Token
				found, err := getJSON(st.db, key(pToken, hash), &want)
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case found != (got != nil):
					t.Fatalf("seed %d, applied %d: token %s: view found %v, Pebble %v", seed, st.Applied(), hash, got != nil, found)
				case found && *got != want:
					t.Fatalf("seed %d, applied %d: token %s: view %+v, Pebble %+v", seed, st.Applied(), hash, *got, want)
				}
				if wasCached {
					cached++
				}
				if !found && i > 1 {
					revoked++
				}
			}
		}
		st.Close()
		if cached == 0 || revoked == 0 {
			t.Fatalf("seed %d: the log never exercised the cache (%d cached lookups, %d absent)", seed, cached, revoked)
		}
	}
}
