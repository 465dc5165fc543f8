package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

const openAPIFile = "../../docs/openapi.json"

// openAPI is the part of an OpenAPI 3 document the tests read.
type openAPI struct {
	OpenAPI    string                          `json:"openapi"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Parameters  []parameter `json:"parameters"`
	Security    []any       `json:"security"`
	RequestBody *struct {
		Content map[string]struct {
			Example json.RawMessage `json:"example"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type parameter struct {
	Name    string `json:"name"`
	In      string `json:"in"`
	Example any    `json:"example"`
}

type schema struct {
	Ref        string            `json:"$ref"`
	Type       string            `json:"type"`
	Properties map[string]schema `json:"properties"`
	Required   []string          `json:"required"`
	Items      *schema           `json:"items"`
	Enum       []string          `json:"enum"`
}

func loadOpenAPI(t *testing.T) *openAPI {
	t.Helper()
	b, err := os.ReadFile(openAPIFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", openAPIFile, err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("%s: openapi %q, want 3.x", openAPIFile, doc.OpenAPI)
	}
	return &doc
}

// TestOpenAPIDocumentsEveryRoute holds docs/openapi.json and the router to
// each other: every route served is documented, every documented route is
// served.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	doc := loadOpenAPI(t)
	s := &server{cfg: Config{Gatherer: prometheus.NewRegistry()}.withDefaults()}
	served := map[string]bool{}
	for _, r := range s.routes() {
		served[strings.ToLower(r.method)+" "+r.path] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[method+" "+path] = true
		}
	}
	for _, k := range sortedKeys(served) {
		if !documented[k] {
			t.Errorf("%s is served but not documented in %s", k, openAPIFile)
		}
	}
	for _, k := range sortedKeys(documented) {
		if !served[k] {
			t.Errorf("%s is documented in %s but not served", k, openAPIFile)
		}
	}
}

// TestOpenAPIExamplesAreServed sends every documented operation, built
// from the document's examples only (a "$TOKEN" string is the root
// user's token, and secured operations carry it as a bearer token), to the
// real server, and checks that it answers 200 with JSON that its schema
// describes: every required field there, no field it does not declare.
func TestOpenAPIExamplesAreServed(t *testing.T) {
	doc := loadOpenAPI(t)
	f := newFixture(t, Config{})
	for _, path := range sortedKeys(doc.Paths) {
		for method, op := range doc.Paths[path] {
			t.Run(method+" "+path, func(t *testing.T) {
				status, ctype, body := f.send(t, buildRequest(t, f, method, path, op))
				if status != http.StatusOK {
					t.Fatalf("status %d, want 200; body %s", status, body)
				}
				content, ok := op.Responses["200"].Content[strings.Split(ctype, ";")[0]]
				if !ok {
					t.Fatalf("answered %s, which the 200 response does not document", ctype)
				}
				if content.Schema.Ref == "" {
					return
				}
				var v any
				if err := json.Unmarshal([]byte(body), &v); err != nil {
					t.Fatalf("body %s: %v", body, err)
				}
				if err := doc.validate(content.Schema, v, "$"); err != nil {
					t.Errorf("the answer does not match its schema: %v\n%s", err, body)
				}
			})
		}
	}
}

func buildRequest(t *testing.T, f *fixture, method, path string, op operation) *http.Request {
	t.Helper()
	q := url.Values{}
	for _, p := range op.Parameters {
		if p.Example == nil {
			continue
		}
		ex := fmt.Sprint(p.Example)
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(ex))
		case "query":
			q.Set(p.Name, ex)
		}
	}
	var body string
	if op.RequestBody != nil {
		body = strings.ReplaceAll(string(op.RequestBody.Content["application/json"].Example), `"$TOKEN"`, fmt.Sprintf("%q", f.token))
	}
	u := f.srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(strings.ToUpper(method), u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(op.Security) > 0 {
		req.Header.Set("Authorization", "Bearer "+f.token)
	}
	return req
}

// validate checks v against a schema: types, required properties, no
// undeclared property, enums; $refs resolved in components.
func (d *openAPI) validate(s schema, v any, at string) error {
	if s.Ref != "" {
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		ref, ok := d.Components.Schemas[name]
		if !ok {
			return fmt.Errorf("%s: unknown schema %s", at, s.Ref)
		}
		return d.validate(ref, v, at)
	}
	switch s.Type {
	case "object":
		return d.validateObject(s, v, at)
	case "array":
		items, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an array", at, v)
		}
		for i, it := range items {
			if err := d.validate(*s.Items, it, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok || len(s.Enum) > 0 && !contains(s.Enum, str) {
			return fmt.Errorf("%s: %v is not a string of the schema", at, v)
		}
	case "integer", "number":
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("%s: %v is not a number", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %v is not a boolean", at, v)
		}
	}
	return nil
}

func (d *openAPI) validateObject(s schema, v any, at string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: %v is not an object", at, v)
	}
	for _, r := range s.Required {
		if _, ok := m[r]; !ok {
			return fmt.Errorf("%s: required %q missing", at, r)
		}
	}
	if s.Properties == nil {
		return nil // a free-form object (event data)
	}
	for k, val := range m {
		ps, ok := s.Properties[k]
		if !ok {
			return fmt.Errorf("%s: %q is not documented", at, k)
		}
		if err := d.validate(ps, val, at+"."+k); err != nil {
			return err
		}
	}
	return nil
}

// send sends a request and returns the status, content type and body.
func (f *fixture) send(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
