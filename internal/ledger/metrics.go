package ledger

import (
	"time"

	"github.com/permledger/permledger/readmodel"
)

// Metrics are the instrumentation hooks a ledger calls; nil fields are skipped.
// The Prometheus collectors live in internal/metrics and fill these in.
type Metrics struct {
	Apply   func(res readmodel.ApplyResult, pending uint64)
	Command func(name, outcome string, conflicts int)
	Check   func(iface string, allowed bool, err error, d time.Duration)
}

func (m *Metrics) observeApply(res readmodel.ApplyResult, pending uint64) {
	if m != nil && m.Apply != nil {
		m.Apply(res, pending)
	}
}

func (m *Metrics) observeCommand(name, outcome string, conflicts int) {
	if m != nil && m.Command != nil {
		m.Command(name, outcome, conflicts)
	}
}

func (m *Metrics) observeCheck(iface string) func(bool, error, time.Duration) {
	if m == nil || m.Check == nil {
		return nil
	}
	return func(allowed bool, err error, d time.Duration) { m.Check(iface, allowed, err, d) }
}
