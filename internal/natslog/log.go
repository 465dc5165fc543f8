package natslog

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults applied by Open when a Config field is left zero.
const (
	DefaultStream     = "PERMLEDGER"
	DefaultSubject    = "permledger.events"
	DefaultReplicas   = 1
	DefaultDuplicates = 2 * time.Minute
)

// Config describes the event log stream.
type Config struct {
	Stream     string        // default "PERMLEDGER"
	Subject    string        // default "permledger.events"; no wildcards
	Replicas   int           // default 1; 1-5, normally 1 or 3
	Duplicates time.Duration // JetStream duplicate window, default 2m
	MaxMsgSize int32         // default 0 = server max payload
	// ReplyWait bounds how long one request of Append or LastSeq waits for
	// its answer before it is sent again; default DefaultReplyWait.
	ReplyWait time.Duration
}

// withDefaults returns cfg with zero fields replaced by their defaults.
func (cfg Config) withDefaults() Config {
	if cfg.Stream == "" {
		cfg.Stream = DefaultStream
	}
	if cfg.Subject == "" {
		cfg.Subject = DefaultSubject
	}
	if cfg.Replicas == 0 {
		cfg.Replicas = DefaultReplicas
	}
	if cfg.Duplicates == 0 {
		cfg.Duplicates = DefaultDuplicates
	}
	if cfg.ReplyWait == 0 {
		cfg.ReplyWait = DefaultReplyWait
	}
	return cfg
}

// validate reports the first problem with a defaulted Config.
func (cfg Config) validate() error {
	switch {
	case strings.ContainsAny(cfg.Stream, " \t\r\n.*>/\\"):
		return fmt.Errorf("natslog: invalid stream name %q", cfg.Stream)
	case strings.ContainsAny(cfg.Subject, " \t\r\n*>"):
		return fmt.Errorf("natslog: invalid subject %q (no spaces or wildcards)", cfg.Subject)
	case cfg.Replicas < 1 || cfg.Replicas > 5:
		return fmt.Errorf("natslog: Replicas %d out of range 1-5", cfg.Replicas)
	case cfg.Duplicates < 0:
		return fmt.Errorf("natslog: negative Duplicates %s", cfg.Duplicates)
	case cfg.ReplyWait < 0:
		return fmt.Errorf("natslog: negative ReplyWait %s", cfg.ReplyWait)
	case cfg.MaxMsgSize < 0:
		return fmt.Errorf("natslog: negative MaxMsgSize %d", cfg.MaxMsgSize)
	}
	return nil
}

// streamConfig is the JetStream stream the log lives in: file storage, kept
// forever (no age, count or size limits; deletes and purges denied).
func (cfg Config) streamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:              cfg.Stream,
		Subjects:          []string{cfg.Subject},
		Retention:         jetstream.LimitsPolicy,
		Storage:           jetstream.FileStorage,
		Replicas:          cfg.Replicas,
		Duplicates:        cfg.Duplicates,
		MaxMsgSize:        cfg.MaxMsgSize,
		Discard:           jetstream.DiscardOld,
		MaxAge:            0,
		MaxMsgs:           -1,
		MaxBytes:          -1,
		MaxMsgsPerSubject: -1,
		MaxConsumers:      -1,
		AllowDirect:       true,
		DenyDelete:        true,
		DenyPurge:         true,
	}
}

// Log is the event log: one JetStream stream with one subject. It is safe
// for concurrent use.
type Log struct {
	nc        *nats.Conn
	js        jetstream.JetStream
	stream    jetstream.Stream
	name      string
	subject   string
	replyWait time.Duration // one request's wait for its answer
}

// Msg is one entry of the log.
type Msg struct {
	Seq     uint64      // stream sequence, from 1
	Data    []byte      // payload as appended
	Time    time.Time   // when the server stored it
	Pending uint64      // messages after this one not yet delivered (Read only; 0 from Get)
	Header  nats.Header // stored headers, including Nats-Msg-Id when one was given
}

// Open creates the log's stream, or updates it to cfg if it exists, and
// returns the Log. nc stays owned by the caller.
func Open(ctx context.Context, nc *nats.Conn, cfg Config) (*Log, error) {
	if nc == nil {
		return nil, errors.New("natslog: nil connection")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, fmt.Errorf("natslog: jetstream: %w", err)
	}
	stream, err := js.CreateOrUpdateStream(ctx, cfg.streamConfig())
	if err != nil {
		return nil, classify("open stream "+cfg.Stream, err)
	}
	return &Log{nc: nc, js: js, stream: stream, name: cfg.Stream, subject: cfg.Subject, replyWait: cfg.ReplyWait}, nil
}

// Stream returns the underlying JetStream stream, for callers needing info.
func (l *Log) Stream() jetstream.Stream { return l.stream }

// Subject returns the subject every entry is appended on.
func (l *Log) Subject() string { return l.subject }

// LastSeq returns the sequence of the last entry, 0 for an empty log. Like
// Append, it asks again every ReplyWait while it gets no answer, until ctx
// ends.
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	var info *jetstream.StreamInfo
	_, err := l.untilAnswered(ctx, func(ctx context.Context) (err error) {
		info, err = l.stream.Info(ctx)
		return err
	})
	if err != nil {
		return 0, classify("stream info", err)
	}
	return info.State.LastSeq, nil
}

// Get returns the entry at seq. A missing seq returns an error wrapping
// jetstream.ErrMsgNotFound. Msg.Pending is always 0.
func (l *Log) Get(ctx context.Context, seq uint64) (Msg, error) {
	raw, err := l.stream.GetMsg(ctx, seq)
	if err != nil {
		return Msg{}, classify(fmt.Sprintf("get %d", seq), err)
	}
	return Msg{Seq: raw.Sequence, Data: raw.Data, Time: raw.Time, Header: raw.Header}, nil
}
