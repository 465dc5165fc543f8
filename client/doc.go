// Package client is a small Go client for services that call permledger over
// NATS: Check, BatchCheck, Explain, Authenticate, Command (command
// submission with a client-chosen command id, safe to retry), and the
// queries read on an actor's behalf (RoleList, RoleInfo, PermissionList,
// UserList, PermsView, History). Every query carries the highest sequence
// the client's commands were answered with as min_seq, so the client reads
// its own writes. Errors are *api.Error values (api.CodeOf tells the
// code). It speaks only the wire contract in package api; example_test.go
// shows a service's use.
package client
