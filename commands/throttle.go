package commands

import (
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Login throttling (C17): after throttleAfter consecutive wrong passwords
// for one user name, attempts are refused, answered unauthenticated without
// looking at the password, until a lockout that doubles with every further
// failure (1 s, 2 s, 4 s, ... up to 15 min) has passed since the last one.
// The state is per process and in memory: it is a brake on guessing, not
// part of the ledger. The answer is the same whether the user exists or not.
const (
	throttleAfter  = 5
	throttleMax    = 15 * time.Minute
	throttleMaxLen = 100000 // names tracked at most; beyond, the table restarts
)

type throttle struct {
	mu    sync.Mutex
	fails map[string]failures
}

type failures struct {
	n    int
	last time.Time
}

func newThrottle() *throttle { return &throttle{fails: map[string]failures{}} }

func (t *throttle) blocked(user string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.fails[user]
	if f.n < throttleAfter {
		return false
	}
	wait := time.Second << min(f.n-throttleAfter, 20)
	return now.Sub(f.last) < min(wait, throttleMax)
}

func (t *throttle) fail(user string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fails) >= throttleMaxLen {
		t.fails = map[string]failures{}
	}
	f := t.fails[user]
	t.fails[user] = failures{n: f.n + 1, last: now}
}

func (t *throttle) reset(user string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, user)
}

// newVerifier returns a bcrypt comparison that remembers its answers, so
// the handler can compare once outside its lock and Decide reuses it.
func newVerifier() func(hash, password string) bool {
	var mu sync.Mutex
	memo := map[[2]string]bool{}
	return func(hash, password string) bool {
		if hash == "" {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		k := [2]string{hash, password}
		if ok, seen := memo[k]; seen {
			return ok
		}
		ok := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
		memo[k] = ok
		return ok
	}
}
