package natsapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/internal/ledger"
	"github.com/permledger/permledger/internal/natsapi"
	"github.com/permledger/permledger/internal/natsserver"
)

const natsDoc = "../../docs/nats-api.md"

// docExample is one request of docs/nats-api.md and the reply it shows.
type docExample struct {
	line    int
	subject string
	request string
	reply   string
}

var requestOn = regexp.MustCompile("^Request on `([^`]+)`:$")

// parseDoc reads the examples: a line "Request on `SUBJECT`:", a ```json
// block (the request), then "Reply:" and a ```json block (the reply).
func parseDoc(t *testing.T) ([]docExample, string) {
	t.Helper()
	b, err := os.ReadFile(natsDoc)
	if err != nil {
		t.Fatal(err)
	}
	var out []docExample
	var cur *docExample
	var block *strings.Builder
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case block != nil && line == "```":
			if cur.request == "" {
				cur.request = block.String()
			} else {
				cur.reply = block.String()
				out = append(out, *cur)
				cur = nil
			}
			block = nil
		case block != nil:
			block.WriteString(line + "\n")
		case requestOn.MatchString(line):
			if cur != nil {
				t.Fatalf("%s:%d: a request without a reply before line %d", natsDoc, cur.line, n)
			}
			cur = &docExample{line: n, subject: requestOn.FindStringSubmatch(line)[1]}
		case cur != nil && line == "```json":
			block = &strings.Builder{}
		}
	}
	if cur != nil {
		t.Fatalf("%s:%d: a request without a reply", natsDoc, cur.line)
	}
	return out, string(b)
}

// TestNATSDocExamples submits every request of docs/nats-api.md, in order,
// through a plain nats.go connection, with only the document's JSON (a
// "$NAME" string is a value an earlier reply captured), and compares each
// reply with the one the document shows.
func TestNATSDocExamples(t *testing.T) {
	examples, _ := parseDoc(t)
	l := openDocLedger(t)
	nc, err := nats.Connect(l.Conn.ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	vars := map[string]string{}
	for _, ex := range examples {
		req := substitute(ex.request, vars)
		if !json.Valid([]byte(req)) {
			t.Fatalf("%s:%d: the request is not JSON: %s", natsDoc, ex.line, req)
		}
		msg, err := nc.Request(ex.subject, []byte(req), 10*time.Second)
		if err != nil {
			t.Fatalf("%s:%d: %s: %v", natsDoc, ex.line, ex.subject, err)
		}
		if os.Getenv("PERMLEDGER_DOCS_PRINT") != "" {
			t.Logf("%s:%d %s\n%s", natsDoc, ex.line, ex.subject, msg.Data)
		}
		var want, got any
		if err := json.Unmarshal([]byte(ex.reply), &want); err != nil {
			t.Fatalf("%s:%d: the reply is not JSON: %v", natsDoc, ex.line, err)
		}
		if err := json.Unmarshal(msg.Data, &got); err != nil {
			t.Fatalf("%s:%d: the server's reply is not JSON: %v", natsDoc, ex.line, err)
		}
		if err := match(want, got, "", vars); err != nil {
			t.Errorf("%s:%d: %s: %v\n got %s", natsDoc, ex.line, ex.subject, err, msg.Data)
		}
	}
}

func openDocLedger(t *testing.T) *ledger.Ledger {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := ledger.Open(ctx, ledger.Config{DataDir: t.TempDir(), Embedded: natsserver.Config{Port: -1},
		BcryptCost: 4, ServeAPI: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	if _, err := ledger.RootUserCreate(ctx, l, "root@corp.com", "rootpw"); err != nil {
		t.Fatal(err)
	}
	return l
}

var placeholder = regexp.MustCompile(`"\$([A-Z0-9_]+)"`)

func substitute(s string, vars map[string]string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := vars[m[2:len(m)-1]]
		if !ok {
			return m
		}
		b, _ := json.Marshal(v)
		return string(b)
	})
}

// match compares a documented value with the server's: "..." matches
// anything; "$NAME" matches any non-empty string and captures it; an array
// whose last element is "..." matches any array starting with the others;
// an object matches an object that has at least its keys, each matching.
func match(want, got any, path string, vars map[string]string) error {
	switch w := want.(type) {
	case string:
		return matchString(w, got, path, vars)
	case []any:
		return matchArray(w, got, path, vars)
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: got %v, want an object", path, got)
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Errorf("%s.%s: missing", path, k)
			}
			if err := match(wv, gv, path+"."+k, vars); err != nil {
				return err
			}
		}
		return nil
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return fmt.Errorf("%s: got %v, want %v", path, got, want)
	}
	return nil
}

func matchString(w string, got any, path string, vars map[string]string) error {
	if w == "..." {
		return nil
	}
	g, ok := got.(string)
	if name, isVar := strings.CutPrefix(w, "$"); isVar && ok && g != "" {
		vars[name] = g
		return nil
	}
	if !ok || g != w {
		return fmt.Errorf("%s: got %v, want %q", path, got, w)
	}
	return nil
}

func matchArray(w []any, got any, path string, vars map[string]string) error {
	g, ok := got.([]any)
	if !ok {
		return fmt.Errorf("%s: got %v, want an array", path, got)
	}
	prefix := len(w) > 0 && w[len(w)-1] == "..."
	if prefix {
		w = w[:len(w)-1]
	}
	if len(g) < len(w) || !prefix && len(g) != len(w) {
		return fmt.Errorf("%s: got %d elements, want %d", path, len(g), len(w))
	}
	for i := range w {
		if err := match(w[i], g[i], fmt.Sprintf("%s[%d]", path, i), vars); err != nil {
			return err
		}
	}
	return nil
}

// TestNATSDocCoversEverySubject holds the document to the server: every
// subject served, every command and every error code is documented, and
// every documented subject is served.
func TestNATSDocCoversEverySubject(t *testing.T) {
	examples, doc := parseDoc(t)
	requested := map[string]bool{}
	for _, ex := range examples {
		requested[ex.subject] = true
	}
	served := map[string]bool{}
	for _, subj := range natsapi.Subjects() {
		served[subj] = true
		if subj == api.CommandPrefix+"*" {
			continue
		}
		if !requested[subj] {
			t.Errorf("subject %s is served but has no example in %s", subj, natsDoc)
		}
	}
	for _, name := range commands.Names() {
		if !requested[api.CommandPrefix+name] {
			t.Errorf("command %s has no example in %s", name, natsDoc)
		}
	}
	for subj := range requested {
		name, isCmd := strings.CutPrefix(subj, api.CommandPrefix)
		if !served[subj] && !(isCmd && served[api.CommandPrefix+"*"] && name != "") {
			t.Errorf("%s documents %s, which is not served", natsDoc, subj)
		}
	}
	for _, code := range []string{api.CodeUnauthenticated, api.CodeInvalidArgument, api.CodeForbidden, api.CodeNotFound,
		api.CodeAlreadyExists, api.CodeFailedPrecondition, api.CodeConflict, api.CodeUnavailable, api.CodeInternal} {
		if !strings.Contains(doc, "| `"+code+"` |") {
			t.Errorf("error code %s is not in the table of %s", code, natsDoc)
		}
	}
}
