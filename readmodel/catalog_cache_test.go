package readmodel

import (
	"encoding/json"
	"testing"

	"github.com/permledger/permledger/catalog"
)

// The cache answers by content: the same bytes give the catalog parsed the
// first time, other bytes their own catalog, and bad bytes an error.
func TestPastCatalogsAreCachedByContent(t *testing.T) {
	raw := catalog.Default().File()
	data, err := json.Marshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	a, err := pastCatalogs.parse(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pastCatalogs.parse(append([]byte{}, data...))
	if err != nil || b != a {
		t.Fatalf("the same bytes parsed again: %p %v, want the cached %p", b, err, a)
	}
	renamed := raw
	renamed.Name += "-2"
	other, err := json.Marshal(renamed)
	if err != nil {
		t.Fatal(err)
	}
	c, err := pastCatalogs.parse(other)
	if err != nil || c == a || c.File().Name != renamed.Name {
		t.Fatalf("other bytes: %p %v, want a catalog of their own", c, err)
	}
	if _, err := pastCatalogs.parse([]byte(`{"permissions":`)); err == nil {
		t.Fatal("a malformed catalog parsed")
	}
}
