package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// serveProc is one `permledger serve` child process.
type serveProc struct {
	cmd    *exec.Cmd
	ready  chan string // the NATS URL, once serve prints that it is serving
	exited chan error
}

// readyPrefix starts the line serve prints on stdout once it serves.
const readyPrefix = "permledger serving: nats="

// readyWriter copies serve's stdout to a file and reports the ready line.
type readyWriter struct {
	mu    sync.Mutex
	out   *os.File
	buf   []byte
	ready chan string
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		if rest, ok := strings.CutPrefix(line, readyPrefix); ok {
			url, _, _ := strings.Cut(rest, " ")
			select {
			case w.ready <- url:
			default:
			}
		}
	}
	return w.out.Write(p)
}

// startServe starts serve on dir with random loopback ports, debug logs to
// logDir/life-N.{stdout,stderr}.
func startServe(bin, dir, logDir string, life int, sync string) (*serveProc, error) {
	name := filepath.Join(logDir, fmt.Sprintf("life-%03d", life))
	stdout, err := os.Create(name + ".stdout")
	if err != nil {
		return nil, err
	}
	stderr, err := os.Create(name + ".stderr")
	if err != nil {
		stdout.Close()
		return nil, err
	}
	p := &serveProc{ready: make(chan string, 1), exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, "serve", "--data", dir, "--http", "127.0.0.1:0", "--nats-listen", "127.0.0.1:0",
		"--bcrypt-cost", "4", "--sync", sync, "--log-level", "debug")
	p.cmd.Stdout = &readyWriter{out: stdout, ready: p.ready}
	p.cmd.Stderr = stderr
	if err := p.cmd.Start(); err != nil {
		stdout.Close()
		stderr.Close()
		return nil, err
	}
	go func() {
		p.exited <- p.cmd.Wait()
		stdout.Close()
		stderr.Close()
	}()
	return p, nil
}

// waitReady returns serve's NATS URL once it serves.
func (p *serveProc) waitReady(ctx context.Context) (string, error) {
	select {
	case url := <-p.ready:
		return url, nil
	case err := <-p.exited:
		p.exited <- err
		return "", fmt.Errorf("serve exited before serving: %v", err)
	case <-ctx.Done():
		return "", fmt.Errorf("serve not ready: %w", ctx.Err())
	}
}

// kill SIGKILLs serve and waits for it to die.
func (p *serveProc) kill() error {
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	<-p.exited
	return nil
}

// rootUserCreate runs the local operator command on dir (no serve running),
// the password on stdin.
func rootUserCreate(ctx context.Context, t *testing.T, bin, dir string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, bin, "root-user-create", "--data", dir, "--bcrypt-cost", "4", rootUser)
	cmd.Stdin = strings.NewReader(rootPassword + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("permledger root-user-create: %v\n%s", err, out)
	}
	if strings.Contains(string(out), rootPassword) {
		t.Errorf("root-user-create printed the password")
	}
}

// grepFiles fails the test if any file in dir holds one of secrets, and
// returns the files' total size.
func grepFiles(t *testing.T, dir string, secrets map[string]string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		total += len(b)
		for s, what := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds the plaintext %s", e.Name(), what)
			}
		}
	}
	return total
}
