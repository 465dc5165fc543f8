package ledger

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/permledger/permledger/internal/conformance"
	"golang.org/x/crypto/bcrypt"
)

// sharedScenarios is the conformance folder beside the checkout.
const sharedScenarios = "../../../shared/conformance"

// TestConformance runs every shared scenario through the real NATS API of
// fresh embedded ledgers. Scenarios listed in testdata/expected-failures.txt
// (each with the reason, usually the issue that will make it pass) must
// fail; every other one must pass, and a listed one that passes fails the
// test, so the list only shrinks.
func TestConformance(t *testing.T) {
	if _, err := os.Stat(sharedScenarios); err != nil {
		t.Skipf("no shared scenarios at %s: %v", sharedScenarios, err)
	}
	scs, err := conformance.Load([]string{sharedScenarios})
	if err != nil {
		t.Fatalf("loading scenarios: %v", err)
	}
	expected := expectedFailures(t)
	newTarget := ConformanceTargets(t.TempDir(), bcrypt.MinCost)
	for _, sc := range scs {
		t.Run(sc.ID(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			err := conformance.Run(ctx, sc, newTarget)
			reason, listed := expected[sc.ID()]
			switch {
			case err != nil && !listed:
				t.Errorf("FAIL %s: %v", sc.ID(), err)
			case err == nil && listed:
				t.Errorf("%s passes now: remove it from testdata/expected-failures.txt (listed: %s)", sc.ID(), reason)
			case err != nil:
				t.Logf("expected failure (%s): %v", reason, err)
			}
		})
	}
	for id := range expected {
		found := false
		for _, sc := range scs {
			found = found || sc.ID() == id
		}
		if !found {
			t.Errorf("testdata/expected-failures.txt lists %s, which is not a shared scenario", id)
		}
	}
}

// expectedFailures reads "ID: reason" lines; blank lines and # comments are skipped.
func expectedFailures(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("testdata", "expected-failures.txt"))
	if err != nil {
		t.Fatalf("reading the expected failures: %v", err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(reason) == "" {
			t.Fatalf("expected-failures.txt: %q needs a reason after the colon", line)
		}
		out[strings.TrimSpace(id)] = strings.TrimSpace(reason)
	}
	return out
}
