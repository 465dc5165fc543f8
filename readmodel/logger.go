package readmodel

import (
	"fmt"
	"log/slog"
	"os"
)

// pebbleLogger drops Pebble's informational chatter and sends its errors to
// slog; a fatal error stops the process, as Pebble expects.
type pebbleLogger struct{ log *slog.Logger }

func (l pebbleLogger) Infof(string, ...any) {}

func (l pebbleLogger) Errorf(format string, args ...any) {
	l.log.Error("pebble: " + fmt.Sprintf(format, args...))
}

func (l pebbleLogger) Fatalf(format string, args ...any) {
	l.log.Error("pebble (fatal): " + fmt.Sprintf(format, args...))
	os.Exit(1)
}
