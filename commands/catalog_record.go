package commands

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/permledger/permledger/catalog"
	"github.com/permledger/permledger/events"
)

// RecordCatalog appends catalog.recorded if the catalog in force differs
// from cat (or none is recorded yet), so that a replay evaluates every check
// with the catalog of its time. Two instances racing both try; one wins and
// the other finds the catalog recorded.
func (h *Handler) RecordCatalog(ctx context.Context, cat *catalog.Catalog) error {
	data := cat.JSON()
	sum := sha256.Sum256(data)
	id := "catalog:" + hex.EncodeToString(sum[:12])
	h.mu.Lock()
	defer h.mu.Unlock()
	for attempt := 0; attempt <= h.cfg.Retries; attempt++ {
		snap := h.store.Snapshot()
		cur, seq := snap.Catalog(), snap.Seq()
		snap.Close()
		if cur != nil && bytes.Equal(cur.JSON(), data) {
			return nil
		}
		m := events.Meta{Time: h.cfg.Now(), CommandID: id}
		b, err := events.EncodeBatch(events.Batch{CommandID: id, Command: "catalog-record",
			Events: []events.Envelope{events.New(m, events.CatalogRecorded{Catalog: data})}})
		if err != nil {
			return err
		}
		n, err := h.log.Append(ctx, b, "", seq)
		if errors.Is(err, ErrConflict) {
			last, lerr := h.log.LastSeq(ctx)
			if lerr != nil {
				return lerr
			}
			if err := h.store.WaitApplied(ctx, last); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		return h.store.WaitApplied(ctx, n)
	}
	return fmt.Errorf("%w: recording the catalog", ErrConflict)
}
