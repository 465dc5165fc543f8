package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/commands"
	"github.com/permledger/permledger/events"
)

// lostAnswerLog appends for real but answers its first Append with a
// conflict, as natslog does when an append's acknowledgement was lost and
// its retry found the log moved on by that very append.
type lostAnswerLog struct {
	commands.Log
	appends int
}

func (l *lostAnswerLog) Append(ctx context.Context, data []byte, msgID string, expected uint64) (uint64, error) {
	seq, err := l.Log.Append(ctx, data, msgID, expected)
	l.appends++
	if l.appends == 1 && err == nil {
		return 0, fmt.Errorf("%w: wrong last sequence %d (the retry of an append whose answer was lost)", commands.ErrConflict, seq)
	}
	return seq, err
}

// A command without a command id whose append landed but was answered as a
// conflict is answered with its first outcome (a repeat), not decided again
// on the state it made (user-create would answer already_exists): the id
// the handler generated is looked up once an append under it may have
// landed.
func TestLostAppendAnswerUnderAGeneratedID(t *testing.T) {
	l := openTest(t, t.TempDir(), nil)
	defer l.Close()
	c := client.New(l.Conn)
	root := rootToken(t, l, c)
	ctx := testCtx(t)
	lossy := &lostAnswerLog{Log: logAdapter{l.Log}}
	h := commands.NewHandler(lossy, l.Store, commands.Config{Hasher: commands.Hasher{Cost: 4}, Noops: l.noops})
	args, _ := json.Marshal(map[string]string{"user": "bob", "password": "pw"})
	rep, err := h.Execute(ctx, commands.Request{Name: "user-create", Token: root, Args: args})
	if err != nil {
		t.Fatalf("user-create whose append's answer was lost: %v (after %d appends)", err, lossy.appends)
	}
	if !rep.Repeat {
		t.Errorf("reply %+v, want the first outcome, as a repeat", rep)
	}
	last, err := l.Log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	creates := 0
	for seq := uint64(1); seq <= last; seq++ {
		e, err := l.Log.Get(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		b, err := events.DecodeBatch(e.Data)
		if err != nil {
			t.Fatal(err)
		}
		if b.Command == "user-create" {
			creates++
			if seq != rep.Seq {
				t.Errorf("the user-create is at %d, the reply says %d", seq, rep.Seq)
			}
		}
	}
	if creates != 1 {
		t.Errorf("%d user-creates in the log, want 1", creates)
	}
}
