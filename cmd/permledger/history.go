package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/permledger/permledger/api"
	"github.com/permledger/permledger/client"
)

var historyUsage = usage{
	name:     "history",
	synopsis: "[flags] USER",
	about: `Lists every event that changed USER's holdings, overrides, tokens or flags
(permledger.q.history), in log order, with its sequence, time, actor and
command id; an edit of a role USER held shows "via ROLE". --since and
--until bound the range (both inclusive) by a sequence or an RFC 3339
time. Allowed for USER itself, admins, and holders of user.read.events in
user:USER; a deleted user keeps its history.`,
	example: `permledger history bob@corp.com
permledger history --since 12 --until 2026-01-02T15:04:05Z bob@corp.com`,
}

func runHistory(ctx context.Context, e *environ, args []string) error {
	var since, until string
	return reader[api.HistoryReply]{usage: historyUsage, min: 1, max: 1,
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&since, "since", "", "from this log `sequence or time` (RFC 3339), inclusive")
			fs.StringVar(&until, "until", "", "up to this log `sequence or time` (RFC 3339), inclusive")
		},
		ask: func(ctx context.Context, c *client.Client, token string, pos []string) (api.HistoryReply, error) {
			req := api.HistoryRequest{Token: token, User: pos[0]}
			req.FromSeq, req.FromTime = seqOrTime(since)
			req.ToSeq, req.ToTime = seqOrTime(until)
			return c.History(ctx, req)
		},
		print: func(e *environ, rep api.HistoryReply, pos []string) error {
			t := newTable("Seq", "Time", "Actor", "Event", "Details")
			for _, h := range rep.Entries {
				t.add(strconv.FormatUint(h.Seq, 10), shortTime(h.Time), orDash(h.Actor), h.Type, details(h, pos[0]))
			}
			t.write(e.stdout)
			return nil
		},
	}.run(ctx, e, args)
}

// seqOrTime reads a range end: digits are a sequence, anything else a
// time (the server says if it is not RFC 3339).
func seqOrTime(s string) (uint64, string) {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n, ""
	}
	return 0, s
}

// details renders an event's data as key=value pairs, leaving out the
// user the history is about, with "via ROLE" for a role edit.
func details(h api.HistoryEntry, user string) string {
	var data map[string]any
	_ = json.Unmarshal(h.Data, &data)
	keys := make([]string, 0, len(data))
	for k, v := range data {
		if k == "user" && v == user {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys)+1)
	for _, k := range keys {
		parts = append(parts, k+"="+value(data[k]))
	}
	if h.Via != "" {
		parts = append(parts, "via "+h.Via)
	}
	return strings.Join(parts, " ")
}

func value(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		s := make([]string, len(v))
		for i, x := range v {
			s[i] = value(x)
		}
		return strings.Join(s, ",")
	}
	return fmt.Sprint(v)
}
