package readmodel

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

func testDoc(name string, pad int) []byte {
	u := &User{Name: name, Status: "active", PasswordHash: fmt.Sprintf("%0*d", pad, 0)}
	return encodeUser(nil, u)
}

func TestUserCachePutGetRemove(t *testing.T) {
	c := newUserCache(1 << 20)
	defer c.release()
	c.put("bob", testDoc("bob", 10))
	if doc, found, _ := c.get("bob"); !found || string(docName(doc)) != "bob" {
		t.Fatalf("get bob: found=%v", found)
	}
	if _, found, known := c.get("alice"); found || !known {
		t.Fatalf("a complete cache must know alice is absent: found=%v known=%v", found, known)
	}
	c.put("bob", testDoc("bob", 20))
	if doc, _, _ := c.get("bob"); len(doc) != len(testDoc("bob", 20)) {
		t.Error("an update is not served")
	}
	c.remove("bob")
	if _, found, known := c.get("bob"); found || !known {
		t.Errorf("after remove: found=%v known=%v", found, known)
	}
}

// Past its limit the cache takes no new user and says misses are unknown;
// a user it held is dropped rather than served stale.
func TestUserCacheLimit(t *testing.T) {
	doc := testDoc("u0", 100)
	c := newUserCache(int64(3 * len(doc)))
	defer c.release()
	for i := range 5 {
		c.put(fmt.Sprint("u", i), testDoc(fmt.Sprint("u", i), 100))
	}
	if _, found, _ := c.get("u0"); !found {
		t.Error("u0 should be cached")
	}
	if _, found, known := c.get("u4"); found || known {
		t.Errorf("u4 over the limit: found=%v known=%v", found, known)
	}
	c.put("u0", make([]byte, cacheMaxDoc+1))
	if _, found, known := c.get("u0"); found || known {
		t.Errorf("an uncacheable update must drop the old document: found=%v known=%v", found, known)
	}
}

// Two names with one hash are both left to Pebble.
func TestUserCacheClash(t *testing.T) {
	c := newUserCache(1 << 20)
	defer c.release()
	c.put("bob", testDoc("bob", 1))
	c.index.set(c.hash("bob"), c.store(testDoc("eve", 1))) // as if eve had bob's hash
	c.put("bob", testDoc("bob", 2))
	if _, found, known := c.get("bob"); found || known {
		t.Errorf("a clashing user is served from the cache: found=%v known=%v", found, known)
	}
}

// Replaced documents are reclaimed chunk by chunk; every live document
// stays readable.
func TestUserCacheCompaction(t *testing.T) {
	c := newUserCache(1 << 30)
	defer c.release()
	const users = 2000
	for round := range 60 {
		for i := range users {
			c.put(fmt.Sprint("user", i), testDoc(fmt.Sprint("user", i), 500+round))
		}
	}
	for i := range users {
		doc, found, _ := c.get(fmt.Sprint("user", i))
		if !found || len(doc) != len(testDoc("x", 559))+len(fmt.Sprint("user", i))-1 {
			t.Fatalf("user%d: found=%v len=%d", i, found, len(doc))
		}
		var u User
		if err := decodeUser(doc, &u); err != nil || u.Name != fmt.Sprint("user", i) {
			t.Fatalf("user%d decodes as %q: %v", i, u.Name, err)
		}
	}
	mapped := 0
	for _, ch := range c.chunks {
		if ch != nil {
			mapped++
		}
	}
	if limit := int(c.live*14/10)/cacheChunk + 3; mapped > limit {
		t.Errorf("%d chunks mapped for %d live bytes", mapped, c.live)
	}
}

// Through the store: what a view reads from the cache is what Pebble holds,
// after creations, changes, deletions and a reopen.
func TestStoreUserCacheMatchesPebble(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seq := uint64(0)
	apply := func(ps ...events.Payload) {
		seq++
		m := events.Meta{Time: time.Unix(int64(seq), 0).UTC(), Actor: "t", CommandID: fmt.Sprint("c", seq)}
		b := events.Batch{CommandID: m.CommandID, Command: "test"}
		for _, p := range ps {
			b.Events = append(b.Events, events.New(m, p))
		}
		data, err := events.EncodeBatch(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Apply([]Msg{{Seq: seq, Time: m.Time, Data: data}}); err != nil {
			t.Fatal(err)
		}
	}
	apply(events.CatalogRecorded{Catalog: catalog.Default().JSON()}, events.RoleCreated{Role: "r", Context: "team"})
	for i := range 20 {
		apply(events.UserCreated{User: fmt.Sprint("u", i), Status: events.StatusActive},
			events.RoleAssigned{Role: "r", User: fmt.Sprint("u", i), Value: "t"})
	}
	apply(events.UserDeleted{User: "u3"}, events.PermissionGranted{User: "u4", Permission: "app", Context: "global"})
	apply(events.UserAdminSet{User: "u5", Admin: true})
	check := func(st *Store) {
		t.Helper()
		for i := range 21 {
			name := fmt.Sprint("u", i)
			fromPebble, err := getUser(st.db, key(pUser, name))
			if err != nil {
				t.Fatal(err)
			}
			var viewed *User
			if err := st.View(func(v *View) error { viewed, err = v.User(name); return err }); err != nil {
				t.Fatal(err)
			}
			if (viewed == nil) != (fromPebble == nil) || viewed != nil && !sameUser(viewed, fromPebble) {
				t.Errorf("%s: view %+v, pebble %+v", name, viewed, fromPebble)
			}
		}
	}
	check(st)
	if st.docs == nil || st.docs.live == 0 {
		t.Fatal("the user cache is not in use")
	}
	st.Close()
	if st, err = Open(dir, Options{}); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	check(st)
}

// The index agrees with a Go map through inserts, updates and deletions,
// growth included, with keys that collide on their home slot.
func TestDocIndexMatchesMap(t *testing.T) {
	x := newDocIndex(0)
	defer func() { x.free() }()
	want := map[uint64]docRef{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		k := uint64(r.IntN(5000))<<10 | uint64(r.IntN(4)) // many share their low bits
		switch r.IntN(3) {
		case 0, 1:
			x = x.set(k, docRef(i))
			want[indexKey(k)] = docRef(i)
		case 2:
			x.del(k)
			delete(want, indexKey(k))
		}
	}
	if x.n != len(want) {
		t.Fatalf("%d entries, want %d", x.n, len(want))
	}
	for k, ref := range want {
		if got, ok := x.get(k); !ok || got != ref {
			t.Fatalf("get(%d) = %d, %v; want %d", k, got, ok, ref)
		}
	}
	seen := 0
	x.each(func(key uint64, ref docRef) {
		seen++
		if want[key] != ref {
			t.Fatalf("each: %d -> %d, want %d", key, ref, want[key])
		}
	})
	if seen != len(want) {
		t.Errorf("each saw %d entries, want %d", seen, len(want))
	}
}
