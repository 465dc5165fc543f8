// Package feed is the change feed: a projector with its own checkpoint that
// turns the log into computed permission changes and publishes them on NATS
// (docs in FEED.md beside this file), so a downstream cache can subscribe
// instead of polling.
//
// It reads the state before and after each message from the read model's
// history (readmodel.PastView), so it never re-evaluates the log itself. It
// must never import the commands or the queries.
package feed
