package main

import (
	"context"
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/permledger/permledger/client"
	"github.com/permledger/permledger/internal/natslog"
)

// login gets the bench admin's token over NATS.
func login(ctx context.Context, cl *client.Client) (string, error) {
	rep, err := cl.Command(ctx, "login", "", "", map[string]string{"user": adminUser, "password": adminPassword})
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	return rep.Token, nil
}

// granter issues grants that each append: every grant is of app.read on an
// app context no one was granted before, to a random user of the data set.
type granter struct {
	cl    *client.Client
	token string
	d     *dataset
	r     *rand.Rand
	n     int
	tag   string
}

func newGranter(ctx context.Context, nc *nats.Conn, d *dataset, tag string) (*granter, error) {
	cl := client.New(nc)
	token, err := login(ctx, cl)
	if err != nil {
		return nil, err
	}
	return &granter{cl: cl, token: token, d: d, r: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3)), tag: tag}, nil
}

// grant appends one grant of perm on a fresh context of type ctxType and
// returns the user, the context and the reply's sequence.
func (g *granter) grant(ctx context.Context, perm, ctxType string) (string, string, uint64, error) {
	return g.grantAs(ctx, perm, ctxType, false)
}

// grantAs is grant, with a client-chosen command id when withID (as a
// client that retries sends): the ledger then reads its no-op records
// before the append.
func (g *granter) grantAs(ctx context.Context, perm, ctxType string, withID bool) (string, string, uint64, error) {
	g.n++
	user := userName(g.r.IntN(g.d.users))
	target := fmt.Sprintf("%s:bench-%s-%d", ctxType, g.tag, g.n)
	id := ""
	if withID {
		id = fmt.Sprintf("bench-%s-%d", g.tag, g.n)
	}
	rep, err := g.cl.Command(ctx, "grant", id, g.token, map[string]string{"user": user, "permission": perm, "context": target})
	if err != nil {
		return "", "", 0, fmt.Errorf("grant: %w", err)
	}
	if rep.Events != 1 {
		return "", "", 0, fmt.Errorf("grant appended %d events, want 1", rep.Events)
	}
	return user, target, rep.Seq, nil
}

// grantScenario alternates rounds of raw JetStream sync publishes of the
// grant's message size, of sequential grant commands over NATS, and of the
// same with client-chosen command ids (an info row).
func (r *runner) grantScenario(ctx context.Context, c *child, d *dataset) error {
	g, err := newGranter(ctx, c.nc, d, "grant")
	if err != nil {
		return err
	}
	js, err := jetstream.New(c.nc)
	if err != nil {
		return err
	}
	size, err := r.grantSize(ctx, g, js)
	if err != nil {
		return err
	}
	_, subject, err := rawStream(ctx, js)
	if err != nil {
		return err
	}
	defer js.DeleteStream(context.WithoutCancel(ctx), "BENCHRAW")
	payload := make([]byte, size)
	_, _ = crand.Read(payload)
	var raw, grants, idGrants int
	var rawTime, grantTime, idTime time.Duration
	for range r.cfg.rounds {
		n, el, err := timed(r.cfg.phase, func() error { _, err := js.Publish(ctx, subject, payload); return err })
		if err != nil {
			return err
		}
		raw, rawTime = raw+n, rawTime+el
		n, el, err = timed(r.cfg.phase, func() error { _, _, _, err := g.grant(ctx, "app.read", "app"); return err })
		if err != nil {
			return err
		}
		grants, grantTime = grants+n, grantTime+el
		n, el, err = timed(r.cfg.phase, func() error { _, _, _, err := g.grantAs(ctx, "app.read", "app", true); return err })
		if err != nil {
			return err
		}
		idGrants, idTime = idGrants+n, idTime+el
	}
	got, base := rate(grants, grantTime), rate(raw, rawTime)
	x := row{figure: "sequential grant commands over NATS, one client", value: fmtRate(got, "grants"),
		baseline: fmtRate(base, "publishes"), ratio: got / base}
	atLeastRatio(&x, 0.3)
	r.table.add(x)
	withID := rate(idGrants, idTime)
	r.table.add(row{figure: "sequential grant commands with client-chosen command ids (info)", value: fmtRate(withID, "grants"),
		baseline: fmtRate(base, "publishes"), ratio: withID / base})
	r.note("Grants: each appends one permission.granted (a %d-byte message); the baseline publishes %d random bytes with a sync JetStream publish to a scratch stream on the same server.", size, size)
	return nil
}

// grantSize issues one grant and returns the size of the message it
// appended.
func (r *runner) grantSize(ctx context.Context, g *granter, js jetstream.JetStream) (int, error) {
	_, _, seq, err := g.grant(ctx, "app.read", "app")
	if err != nil {
		return 0, err
	}
	s, err := js.Stream(ctx, natslog.DefaultStream)
	if err != nil {
		return 0, err
	}
	m, err := s.GetMsg(ctx, seq)
	if err != nil {
		return 0, err
	}
	return len(m.Data), nil
}

// timed calls fn until d has passed and returns the calls and the time.
func timed(d time.Duration, fn func() error) (int, time.Duration, error) {
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		if err := fn(); err != nil {
			return n, time.Since(start), err
		}
		n++
	}
	return n, time.Since(start), nil
}
