package metrics

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/permledger/permledger/readmodel"
)

func TestGatherAfterObservations(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := New(reg).Hooks()
	h.Apply(readmodel.ApplyResult{Applied: 42, Messages: 3, Skipped: 1, Events: 5}, 7)
	h.Command("role-assign", "appended", 2)
	h.Command("role-assign", "invalid argument", 0)
	h.Command("no-such-command-from-a-subject", "invalid argument", 0)
	h.Check(InterfaceNATS, true, nil, 30*time.Microsecond)
	h.Check(InterfaceHTTP, false, nil, time.Millisecond)
	h.Check(InterfaceHTTP, false, errors.New("boom"), time.Millisecond)

	fams := gather(t, reg)
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("family %s missing", name)
		}
	}
	if got, want := gaugeValue(t, fams, "permledger_projector_applied_sequence"), 42.0; got != want {
		t.Errorf("applied sequence = %v, want %v", got, want)
	}
	if got, want := gaugeValue(t, fams, "permledger_projector_pending"), 7.0; got != want {
		t.Errorf("pending = %v, want %v", got, want)
	}
	if got, want := counterValue(t, fams, "permledger_projector_skipped_messages_total", nil), 1.0; got != want {
		t.Errorf("skipped = %v, want %v", got, want)
	}
	cmdCases := []struct {
		labels map[string]string
		want   float64
	}{
		{map[string]string{"command": "role-assign", "outcome": "appended"}, 1},
		{map[string]string{"command": "role-assign", "outcome": "invalid_argument"}, 1},
		{map[string]string{"command": "other", "outcome": "invalid_argument"}, 1},
	}
	for _, c := range cmdCases {
		if got := counterValue(t, fams, "permledger_commands_total", c.labels); got != c.want {
			t.Errorf("commands_total%v = %v, want %v", c.labels, got, c.want)
		}
	}
	if got, want := counterValue(t, fams, "permledger_command_conflicts_total", map[string]string{"command": "role-assign"}), 2.0; got != want {
		t.Errorf("conflicts = %v, want %v", got, want)
	}
	checks := map[string]uint64{"nats/allow": 1, "http/deny": 1, "http/error": 1}
	for _, m := range fams["permledger_check_duration_seconds"].GetMetric() {
		key := label(m, "interface") + "/" + label(m, "decision")
		if got, want := m.GetHistogram().GetSampleCount(), checks[key]; got != want {
			t.Errorf("check_duration{%s} count = %d, want %d", key, got, want)
		}
		delete(checks, key)
	}
	if len(checks) != 0 {
		t.Errorf("check_duration series missing: %v", checks)
	}
}

func TestCheckBucketsAreMicrosecondScale(t *testing.T) {
	reg := prometheus.NewRegistry()
	New(reg).ObserveCheck(InterfaceInproc, true, nil, 3*time.Microsecond)
	fams := gather(t, reg)
	h := fams["permledger_check_duration_seconds"].GetMetric()[0].GetHistogram()
	b := h.GetBucket()
	if got, want := b[0].GetUpperBound(), 5e-6; got != want {
		t.Errorf("first bucket = %v, want %v", got, want)
	}
	if got := b[len(b)-1].GetUpperBound(); got != 1 {
		t.Errorf("last bucket = %v, want 1s", got)
	}
	if got, want := b[0].GetCumulativeCount(), uint64(1); got != want {
		t.Errorf("a 3µs check lands in the first bucket: count %d, want %d", got, want)
	}
}

func gather(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func gaugeValue(t *testing.T, fams map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	mf := fams[name]
	if mf == nil || len(mf.GetMetric()) != 1 {
		t.Fatalf("family %s: want one series, got %v", name, mf)
	}
	return mf.GetMetric()[0].GetGauge().GetValue()
}

func counterValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	t.Helper()
	mf := fams[name]
	if mf == nil {
		t.Fatalf("family %s missing", name)
	}
	for _, m := range mf.GetMetric() {
		if matches(m, labels) {
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("family %s has no series %v", name, labels)
	return 0
}

func matches(m *dto.Metric, labels map[string]string) bool {
	for k, v := range labels {
		if label(m, k) != v {
			return false
		}
	}
	return true
}

func label(m *dto.Metric, name string) string {
	for _, lp := range m.GetLabel() {
		if lp.GetName() == name {
			return lp.GetValue()
		}
	}
	return ""
}
