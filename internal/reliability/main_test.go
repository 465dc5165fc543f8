package reliability

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

var longFlag = flag.Bool("long", false, "run the long variants (also PERMLEDGER_LONG=1)")

// long reports whether the long variants run.
func long() bool { return *longFlag || os.Getenv("PERMLEDGER_LONG") == "1" }

// binDir holds the permledger binary built once for the whole run.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "permledger-reliability-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var build struct {
	once sync.Once
	path string
	err  error
	took time.Duration
}

// serveBinary builds ./cmd/permledger once (go build -o $tmp/permledger).
func serveBinary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		start := time.Now()
		build.path = filepath.Join(binDir, "permledger")
		goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goBin, "build", "-o", build.path, "github.com/permledger/permledger/cmd/permledger")
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/permledger: %v\n%s", err, out)
		}
		build.took = time.Since(start)
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	t.Logf("permledger binary built in %s", build.took.Round(time.Millisecond))
	return build.path
}

// testCtx bounds a test's work well inside go test's default timeout.
func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
