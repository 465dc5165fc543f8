package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/permledger/permledger/internal/ledger"
)

// lagTimeout bounds the read of the log's last sequence at a scrape.
const lagTimeout = time.Second

// WatchLedger registers the collectors read from an open ledger at scrape
// time: how far the read model trails the log, and the read model's block
// cache hits and misses, and its compactions. Call it once, after ledger.Open.
func (m *Metrics) WatchLedger(l *ledger.Ledger) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "permledger_projector_lag_sequences",
			Help: "Log sequences the read model has not applied yet (the log's last sequence less the applied one; -1 when the log cannot be read).",
		}, func() float64 { return lag(l) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "permledger_readmodel_cache_hits_total",
			Help: "Pebble block cache hits of the read model (since it was opened or last replayed).",
		}, func() float64 { h, _ := l.Store.CacheHitRate(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "permledger_readmodel_cache_misses_total",
			Help: "Pebble block cache misses of the read model (since it was opened or last replayed).",
		}, func() float64 { _, mi := l.Store.CacheHitRate(); return float64(mi) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "permledger_readmodel_cache_hit_ratio",
			Help: "Pebble block cache hit rate of the read model: hits / (hits + misses), 0 before any read.",
		}, func() float64 { return hitRatio(l.Store.CacheHitRate()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "permledger_readmodel_compactions_running",
			Help: "Pebble compactions of the read model running now.",
		}, func() float64 { n, _ := l.Store.Compactions(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "permledger_readmodel_compaction_debt_bytes",
			Help: "Bytes Pebble estimates it must still compact in the read model (high after a bulk load: background compactions pay it, with CPU the checks share).",
		}, func() float64 { _, d := l.Store.Compactions(); return float64(d) }),
	)
}

func lag(l *ledger.Ledger) float64 {
	ctx, cancel := context.WithTimeout(context.Background(), lagTimeout)
	defer cancel()
	last, err := l.Log.LastSeq(ctx)
	if err != nil {
		return -1
	}
	return float64(last - min(l.Store.Applied(), last))
}

func hitRatio(hits, misses int64) float64 {
	if hits+misses == 0 {
		return 0
	}
	return float64(hits) / float64(hits+misses)
}
