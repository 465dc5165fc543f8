package errmap

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/queries"
)

func TestToAPI(t *testing.T) {
	cases := []struct {
		err  error
		code string
		msg  string
	}{
		{fmt.Errorf("%w: role %q not found", commands.ErrNotFound, "x"), api.CodeNotFound, `role "x" not found`},
		{fmt.Errorf("%w: bad", queries.ErrInvalidArgument), api.CodeInvalidArgument, "bad"},
		{fmt.Errorf("wrapped: %w", fmt.Errorf("%w: lost", commands.ErrConflict)), api.CodeConflict, "wrapped: conflict: lost"},
		{fmt.Errorf("disk on fire"), api.CodeInternal, "internal error"},
	}
	for _, tc := range cases {
		got := ToAPI(tc.err)
		if got.Code != tc.code || got.Message != tc.msg {
			t.Errorf("ToAPI(%v) = %+v, want %s %q", tc.err, got, tc.code, tc.msg)
		}
	}
	if ToAPI(nil) != nil {
		t.Error("nil error must map to nil")
	}
}

// A message echoing a huge value stays small enough to be delivered.
func TestToAPITruncates(t *testing.T) {
	huge := strings.Repeat("é", 600_000)
	got := ToAPI(fmt.Errorf("%w: permission %q not found", commands.ErrInvalidArgument, huge))
	if len(got.Message) > MaxMessage || !utf8.ValidString(got.Message) || !strings.HasSuffix(got.Message, "(truncated)") {
		t.Errorf("message of %d bytes, valid UTF-8 %v: %.60q…", len(got.Message), utf8.ValidString(got.Message), got.Message)
	}
	if got := ToAPI(&api.Error{Code: api.CodeNotFound, Message: huge}); len(got.Message) > MaxMessage {
		t.Errorf("an *api.Error is not truncated: %d bytes", len(got.Message))
	}
}
