package conformance

import (
	"errors"
	"fmt"

	"github.com/permledger/permledger/api"
)

// describeErr renders an error for a message: "error forbidden (message)",
// or, for one that carries no ledger code, "error without a code: ...".
func describeErr(err error) string {
	var e *api.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("error %s (%s)", e.Code, e.Message)
	}
	return "error without a ledger code: " + err.Error()
}

// verifyCommand compares a command's outcome with the step's expectations.
// before and after are the stream's last sequence around the command.
func verifyCommand(d *DoStep, reply api.CommandReply, err error, before, after uint64) error {
	if d.ExpectError != "" {
		return verifyFailure(d.ExpectError, reply, err, before, after)
	}
	if err != nil {
		return fmt.Errorf("expected success, got %s", describeErr(err))
	}
	if d.NoEvents && (reply.Events != 0 || after != before) {
		return fmt.Errorf("expected no events appended, got events=%d seq=%d (last seq %d -> %d)",
			reply.Events, reply.Seq, before, after)
	}
	if d.SaveToken != "" && reply.Token == "" {
		return fmt.Errorf("expected a token to save as %q, got success with no token (events=%d seq=%d)",
			d.SaveToken, reply.Events, reply.Seq)
	}
	return nil
}

// verifyFailure checks that a command failed with code and appended nothing.
func verifyFailure(code string, reply api.CommandReply, err error, before, after uint64) error {
	if err == nil {
		return fmt.Errorf("expected error %s, got success (events=%d seq=%d)", code, reply.Events, reply.Seq)
	}
	if got := api.CodeOf(err); got != code {
		return fmt.Errorf("expected error %s, got %s", code, describeErr(err))
	}
	if after != before || reply.Events != 0 {
		return fmt.Errorf("expected error %s appending nothing, got the error but events=%d and last seq %d -> %d",
			code, reply.Events, before, after)
	}
	return nil
}
