package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/permledger/permledger/events"
	"github.com/permledger/permledger/projector"
	"github.com/permledger/permledger/readmodel"
)

// currentFile names the read model folder in use (written by Replay), so a
// restart opens the replayed one.
const currentFile = "readmodel.current"

func readModelDir(dataDir string) string {
	if b, err := os.ReadFile(filepath.Join(dataDir, currentFile)); err == nil {
		if name := strings.TrimSpace(string(b)); name != "" && !strings.ContainsAny(name, `/\`) {
			return filepath.Join(dataDir, name)
		}
	}
	return filepath.Join(dataDir, "readmodel")
}

// Replay rebuilds the read model from the log into a fresh folder and swaps
// it in without stopping checks. It returns the sequence the new read model
// had reached at the swap.
func (l *Ledger) Replay(ctx context.Context, progress projector.Progress) (uint64, error) {
	name := "readmodel-" + strings.ToLower(events.NewID(time.Now()))
	dir := filepath.Join(l.cfg.DataDir, name)
	last, err := l.Log.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	fresh, err := projector.Rebuild(ctx, l.Log, dir, l.cfg.ReadModel, last, progress)
	if err != nil {
		os.RemoveAll(dir)
		return 0, err
	}
	for attempt := 0; ; attempt++ {
		if err := projector.CatchUpStore(ctx, l.Log, fresh, l.Store.Applied()); err != nil {
			fresh.Close()
			return 0, err
		}
		err := l.Store.ReplaceWith(fresh, func(old string) { os.RemoveAll(old) })
		if err == nil {
			break
		}
		if !errors.Is(err, readmodel.ErrBehind) || attempt >= 10 {
			fresh.Close()
			return 0, err
		}
	}
	if err := writeFileAtomic(filepath.Join(l.cfg.DataDir, currentFile), []byte(name+"\n")); err != nil {
		return 0, fmt.Errorf("ledger: replayed, but recording the new read model folder failed: %w", err)
	}
	return l.Store.Applied(), nil
}

// Verify rebuilds the read model from the log into a scratch folder, up to
// the live read model's sequence at the start, and compares the two key by
// key. Any difference is a bug.
func (l *Ledger) Verify(ctx context.Context, limit int, progress projector.Progress) ([]readmodel.Difference, uint64, int, error) {
	snap := l.Store.Snapshot()
	defer snap.Close()
	dir, err := os.MkdirTemp(l.cfg.DataDir, "verify-")
	if err != nil {
		return nil, 0, 0, err
	}
	defer os.RemoveAll(dir)
	scratch, err := projector.Rebuild(ctx, l.Log, dir, l.cfg.ReadModel, snap.Seq(), progress)
	if err != nil {
		return nil, 0, 0, err
	}
	defer scratch.Close()
	diffs, keys, err := readmodel.Diff(snap, scratch, limit)
	return diffs, snap.Seq(), keys, err
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
