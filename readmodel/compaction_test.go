package readmodel

import (
	"context"
	"errors"
	"log/slog"
	"testing"
)

// CompactAll leaves every table in one level, and the read model as it was.
func TestCompactAll(t *testing.T) {
	s, err := Open(t.TempDir(), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range randomLog(t, 60, 3) {
		if _, err := s.Apply([]Msg{m}); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 { // a table in L0 every ten messages
			if err := s.db.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	before, _, err := s.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if ra := s.db.Metrics().ReadAmp(); ra < 2 {
		t.Fatalf("read amplification %d before compacting: the test wants several tables in L0", ra)
	}
	if err := s.CompactAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ra := s.db.Metrics().ReadAmp(); ra != 1 {
		t.Errorf("read amplification %d after CompactAll, want 1", ra)
	}
	if running, _ := s.Compactions(); running != 0 {
		t.Errorf("%d compactions running after CompactAll", running)
	}
	after, _, err := s.Digest()
	if err != nil || after != before {
		t.Errorf("digest %s after compacting, %s before (%v)", after, before, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.CompactAll(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("CompactAll on a closed store: %v, want ErrClosed", err)
	}
	if running, debt := s.Compactions(); running != 0 || debt != 0 {
		t.Errorf("Compactions on a closed store: %d, %d", running, debt)
	}
}
