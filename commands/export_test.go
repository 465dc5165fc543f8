package commands

import (
	"encoding/json"

	"github.com/permledger/permledger/migrate"
)

// Test-only access to internals of the package.

// MigrateStepForTest is one step of a migration run, as the handler decides it.
func MigrateStepForTest(runID string, s migrate.Step) Command {
	return &migrateStep{RunID: runID, Step: s}
}

// MigratePlanForTest is C20's argument validation: the plan of the snapshot.
func MigratePlanForTest(c *Migrate) (*migrate.Plan, error) { return c.plan() }

// FingerprintInputForTest is the JSON that Fingerprint hashes.
func FingerprintInputForTest(c Command) string {
	var v any = c
	if r, ok := c.(redacted); ok {
		v = r.fingerprintArgs()
	}
	b, _ := json.Marshal(v)
	return string(b)
}
