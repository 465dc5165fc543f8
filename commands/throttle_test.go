package commands

import (
	"testing"
	"time"
)

// After 5 consecutive failures a name is refused for a lockout that doubles
// with every further failure; a success clears it. Names are independent.
func TestThrottle(t *testing.T) {
	th := newThrottle()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < throttleAfter-1; i++ {
		th.fail("bob", now)
	}
	if th.blocked("bob", now) {
		t.Fatal("blocked after 4 failures")
	}
	th.fail("bob", now) // 5th
	if !th.blocked("bob", now.Add(999*time.Millisecond)) {
		t.Error("not blocked within 1s of the 5th failure")
	}
	if th.blocked("bob", now.Add(time.Second)) {
		t.Error("still blocked 1s after the 5th failure")
	}
	th.fail("bob", now) // 6th: 2 s
	if !th.blocked("bob", now.Add(1500*time.Millisecond)) || th.blocked("bob", now.Add(2*time.Second)) {
		t.Error("the lockout after the 6th failure should be 2s")
	}
	for i := 0; i < 40; i++ {
		th.fail("bob", now)
	}
	if !th.blocked("bob", now.Add(throttleMax-time.Second)) || th.blocked("bob", now.Add(throttleMax)) {
		t.Errorf("the lockout should be capped at %v", throttleMax)
	}
	if th.blocked("carol", now) {
		t.Error("another name is blocked")
	}
	th.reset("bob")
	if th.blocked("bob", now) {
		t.Error("a success should clear the failures")
	}
}
