package client

import (
	"context"

	"github.com/permledger/permledger/api"
)

// Explain answers a check with its explanation: the rule, the holding or
// override that decided, and the event that created it.
func (c *Client) Explain(ctx context.Context, req api.CheckRequest) (api.CheckReply, error) {
	req.MinSeq = max(req.MinSeq, c.MinSeq())
	if req.Contexts == nil {
		req.Contexts = []string{}
	}
	var rep api.CheckReply
	err := c.request(ctx, api.SubjectExplain, req, &rep)
	return rep, err
}

// BatchCheck asks many checks in one request and returns their answers in
// order. A check that failed (an unknown permission, say) has its Error
// set; the others are answered all the same. The batch waits for the
// client's MinSeq.
func (c *Client) BatchCheck(ctx context.Context, checks []api.CheckRequest) ([]api.CheckReply, error) {
	req := api.BatchCheckRequest{Checks: make([]api.CheckRequest, len(checks)), MinSeq: c.MinSeq()}
	for i, ch := range checks {
		if ch.Contexts == nil {
			ch.Contexts = []string{}
		}
		req.Checks[i] = ch
	}
	var rep api.BatchCheckReply
	err := c.request(ctx, api.SubjectBatchCheck, req, &rep)
	return rep.Results, err
}

// RoleList lists every role; token is the actor's.
func (c *Client) RoleList(ctx context.Context, token string) (api.RoleListReply, error) {
	var rep api.RoleListReply
	err := c.request(ctx, api.SubjectRoleList, api.ListRequest{Token: token, MinSeq: c.MinSeq()}, &rep)
	return rep, err
}

// RoleInfo describes one role.
func (c *Client) RoleInfo(ctx context.Context, token, role string) (api.RoleInfoReply, error) {
	var rep api.RoleInfoReply
	err := c.request(ctx, api.SubjectRoleInfo, api.RoleInfoRequest{Token: token, Role: role, MinSeq: c.MinSeq()}, &rep)
	return rep, err
}

// PermissionList lists the permission tree in force.
func (c *Client) PermissionList(ctx context.Context, token string) (api.PermissionListReply, error) {
	var rep api.PermissionListReply
	err := c.request(ctx, api.SubjectPermissionList, api.ListRequest{Token: token, MinSeq: c.MinSeq()}, &rep)
	return rep, err
}

// UserList lists one page of users (admin only): after is the previous
// page's Next ("" first), limit the page size (0: the server's maximum).
func (c *Client) UserList(ctx context.Context, token, after string, limit int) (api.UserListReply, error) {
	var rep api.UserListReply
	req := api.UserListRequest{Token: token, After: after, Limit: limit, MinSeq: c.MinSeq()}
	err := c.request(ctx, api.SubjectUserList, req, &rep)
	return rep, err
}

// PermsView shows what a user holds.
func (c *Client) PermsView(ctx context.Context, token, user string) (api.PermsViewReply, error) {
	var rep api.PermsViewReply
	err := c.request(ctx, api.SubjectPermsView, api.UserRequest{Token: token, User: user, MinSeq: c.MinSeq()}, &rep)
	return rep, err
}

// History lists what changed a user, in log order.
func (c *Client) History(ctx context.Context, req api.HistoryRequest) (api.HistoryReply, error) {
	req.MinSeq = max(req.MinSeq, c.MinSeq())
	var rep api.HistoryReply
	err := c.request(ctx, api.SubjectHistory, req, &rep)
	return rep, err
}
