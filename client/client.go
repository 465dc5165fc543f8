package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/permledger/permledger/api"
)

// Client calls permledger over a NATS connection. It is safe for
// concurrent use. Every method returns the reply's error as an *api.Error
// (api.CodeOf tells its code); a NATS failure is CodeUnavailable.
type Client struct {
	nc      *nats.Conn
	timeout time.Duration

	mu     sync.Mutex
	minSeq uint64 // highest sequence seen in a command reply
}

// New builds a Client on an open connection.
func New(nc *nats.Conn) *Client { return &Client{nc: nc, timeout: 10 * time.Second} }

// Conn is the client's NATS connection.
func (c *Client) Conn() *nats.Conn { return c.nc }

// MinSeq is the highest sequence this client's commands were answered with;
// queries wait for it, so the client reads its own writes.
func (c *Client) MinSeq() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.minSeq
}

func (c *Client) saw(seq uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.minSeq = max(c.minSeq, seq)
}

func (c *Client) request(ctx context.Context, subject string, req, rep any) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	m, err := c.nc.RequestWithContext(ctx, subject, b)
	if err != nil {
		return &api.Error{Code: api.CodeUnavailable, Message: fmt.Sprintf("%s: %v", subject, err)}
	}
	if err := json.Unmarshal(m.Data, rep); err != nil {
		return &api.Error{Code: api.CodeInternal, Message: fmt.Sprintf("%s: malformed reply: %v", subject, err)}
	}
	var e struct {
		Error *api.Error `json:"error"`
	}
	if json.Unmarshal(m.Data, &e) == nil && e.Error != nil {
		return e.Error
	}
	return nil
}

// Command submits command name with the actor's token (may be "") and a
// client-chosen command id ("" lets the server choose). args is any value
// that encodes to the command's JSON arguments.
func (c *Client) Command(ctx context.Context, name, commandID, token string, args any) (api.CommandReply, error) {
	raw, ok := args.(json.RawMessage)
	if !ok && args != nil {
		b, err := json.Marshal(args)
		if err != nil {
			return api.CommandReply{}, err
		}
		raw = b
	}
	var rep api.CommandReply
	req := api.CommandRequest{CommandID: commandID, Token: token, Args: raw}
	if err := c.request(ctx, api.CommandPrefix+name, req, &rep); err != nil {
		return rep, err
	}
	c.saw(rep.Seq)
	return rep, nil
}

// Check asks a check. A zero MinSeq is raised to the client's own MinSeq.
func (c *Client) Check(ctx context.Context, req api.CheckRequest) (api.CheckReply, error) {
	req.MinSeq = max(req.MinSeq, c.MinSeq())
	if req.Contexts == nil {
		req.Contexts = []string{}
	}
	var rep api.CheckReply
	err := c.request(ctx, api.SubjectCheck, req, &rep)
	return rep, err
}

// Authenticate resolves a token to its user.
func (c *Client) Authenticate(ctx context.Context, token string) (api.AuthenticateReply, error) {
	var rep api.AuthenticateReply
	req := api.AuthenticateRequest{Token: token, MinSeq: c.MinSeq()}
	err := c.request(ctx, api.SubjectAuthenticate, req, &rep)
	return rep, err
}

// LastSeq reports the log's last sequence and the read model's.
func (c *Client) LastSeq(ctx context.Context) (api.LastSeqReply, error) {
	var rep api.LastSeqReply
	err := c.request(ctx, api.SubjectLastSeq, struct{}{}, &rep)
	return rep, err
}
