package natslog_test

import (
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/internal/natslog"
	"github.com/permledger/permledger/internal/natsserver"
)

func TestOpenDefaults(t *testing.T) {
	l := openLog(t, natslog.Config{})
	if got, want := l.Subject(), "permledger.events"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	info, err := l.Stream().Info(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg := info.Config
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"Name", cfg.Name, "PERMLEDGER"},
		{"Subjects", len(cfg.Subjects) == 1 && cfg.Subjects[0] == "permledger.events", true},
		{"Storage", cfg.Storage, jetstream.FileStorage},
		{"Replicas", cfg.Replicas, 1},
		{"Duplicates", cfg.Duplicates, 2 * time.Minute},
		{"Discard", cfg.Discard, jetstream.DiscardOld},
		{"MaxAge", cfg.MaxAge, time.Duration(0)},
		{"MaxMsgs", cfg.MaxMsgs, int64(-1)},
		{"MaxBytes", cfg.MaxBytes, int64(-1)},
		{"AllowDirect", cfg.AllowDirect, true},
		{"DenyDelete", cfg.DenyDelete, true},
		{"DenyPurge", cfg.DenyPurge, true},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestOpenTwiceKeepsEntries(t *testing.T) {
	s := startServer(t, natsserver.Config{})
	cfg := natslog.Config{Stream: "LEDGER", Subject: "ledger.ev", Duplicates: time.Minute, MaxMsgSize: 4096}
	l, err := natslog.Open(testCtx(t), connect(t, s.ClientURL()), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	mustAppend(t, l, "a", 0)
	again, err := natslog.Open(testCtx(t), connect(t, s.ClientURL()), cfg)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	if got, want := lastSeq(t, again), uint64(1); got != want {
		t.Errorf("LastSeq after reopen = %d, want %d", got, want)
	}
	if got, want := again.Stream().CachedInfo().Config.MaxMsgSize, int32(4096); got != want {
		t.Errorf("MaxMsgSize = %d, want %d", got, want)
	}
}

func TestOpenRejectsInvalidConfig(t *testing.T) {
	s := startServer(t, natsserver.Config{})
	nc := connect(t, s.ClientURL())
	for name, cfg := range map[string]natslog.Config{
		"dotted stream":     {Stream: "A.B"},
		"wildcard subject":  {Subject: "ev.*"},
		"replicas 7":        {Replicas: 7},
		"negative replicas": {Replicas: -1},
		"negative window":   {Duplicates: -time.Second},
		"negative max size": {MaxMsgSize: -1},
	} {
		if _, err := natslog.Open(testCtx(t), nc, cfg); err == nil {
			t.Errorf("%s: Open succeeded, want error", name)
		}
	}
	if _, err := natslog.Open(testCtx(t), nil, natslog.Config{}); err == nil {
		t.Error("nil conn: Open succeeded, want error")
	}
}
