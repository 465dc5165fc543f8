package metrics

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/readmodel"
)

// Label values of permledger_check_duration_seconds.
const (
	InterfaceNATS   = "nats"
	InterfaceHTTP   = "http"
	InterfaceInproc = "inproc"

	DecisionAllow = "allow"
	DecisionDeny  = "deny"
	DecisionError = "error"
)

// otherCommand labels a command name the handler does not know: the name
// comes from the request subject, so it is not trusted to bound the labels.
const otherCommand = "other"

// Metrics holds permledger's collectors, registered on one registry.
type Metrics struct {
	checkDuration *prometheus.HistogramVec
	commands      *prometheus.CounterVec
	conflicts     *prometheus.CounterVec
	appliedSeq    prometheus.Gauge
	pending       prometheus.Gauge
	skipped       prometheus.Counter
	known         map[string]bool
	reg           *prometheus.Registry
}

// New builds the collectors and registers them, with the Go and process
// collectors, on reg. It panics if one is already registered there, so
// call it once per registry.
func New(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		checkDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "permledger_check_duration_seconds",
			Help:    "Latency of permission checks, by interface (nats, http, inproc) and decision (allow, deny, error).",
			Buckets: checkBuckets(),
		}, []string{"interface", "decision"}),
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "permledger_commands_total",
			Help: "Commands executed, by command and outcome (appended, noop, repeat, or an error code such as invalid_argument).",
		}, []string{"command", "outcome"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "permledger_command_conflicts_total",
			Help: "Append conflicts (another writer moved the log) that a command retried.",
		}, []string{"command"}),
		appliedSeq: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "permledger_projector_applied_sequence",
			Help: "Last log sequence the projector applied to the read model.",
		}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "permledger_projector_pending",
			Help: "Messages the projector's consumer reported pending after its last batch (its lag).",
		}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "permledger_projector_skipped_messages_total",
			Help: "Log messages the projector skipped because they were not permledger batches.",
		}),
		known: knownCommands(),
		reg:   reg,
	}
	for name := range m.known {
		m.conflicts.WithLabelValues(name) // shown at 0 before the first conflict
	}
	reg.MustRegister(m.checkDuration, m.commands, m.conflicts, m.appliedSeq, m.pending, m.skipped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// checkBuckets are 5µs, 10µs, 20µs ... 655ms (doubling), then 1s: a check
// answered from memory takes microseconds, one waiting on min_seq up to
// the request deadline.
func checkBuckets() []float64 {
	return append(prometheus.ExponentialBuckets(5e-6, 2, 18), 1)
}

func knownCommands() map[string]bool {
	known := map[string]bool{commands.RootUserCreateName: true}
	for _, n := range commands.Names() {
		known[n] = true
	}
	return known
}

// Hooks returns the functions the ledger calls.
func (m *Metrics) Hooks() *ledger.Metrics {
	return &ledger.Metrics{Apply: m.ObserveApply, Command: m.ObserveCommand, Check: m.ObserveCheck}
}

// ObserveApply records one batch the projector applied.
func (m *Metrics) ObserveApply(res readmodel.ApplyResult, pending uint64) {
	m.appliedSeq.Set(float64(res.Applied))
	m.pending.Set(float64(pending))
	if res.Skipped > 0 {
		m.skipped.Add(float64(res.Skipped))
	}
}

// ObserveCommand records one executed command. Outcomes are the handler's
// labels with spaces made underscores ("invalid argument" -> invalid_argument).
func (m *Metrics) ObserveCommand(name, outcome string, conflicts int) {
	if !m.known[name] {
		name = otherCommand
	}
	m.commands.WithLabelValues(name, strings.ReplaceAll(outcome, " ", "_")).Inc()
	if conflicts > 0 {
		m.conflicts.WithLabelValues(name).Add(float64(conflicts))
	}
}

// ObserveCheck records one check's latency on interface iface.
func (m *Metrics) ObserveCheck(iface string, allowed bool, err error, d time.Duration) {
	decision := DecisionDeny
	switch {
	case err != nil:
		decision = DecisionError
	case allowed:
		decision = DecisionAllow
	}
	m.checkDuration.WithLabelValues(iface, decision).Observe(d.Seconds())
}
