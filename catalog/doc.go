// Package catalog owns the permission tree: permission names, their allowed
// context types (SEMANTICS.md section 1), context parsing and the syntax of
// user, team and role names. It is pure data and logic; it must never import
// NATS, Pebble or any other permledger package.
//
// The built-in catalog is tsuru's tree plus the ledger's administrative
// permissions, embedded from tsuru.json (a copy of shared/catalog-tsuru.json;
// the project never reads ../shared at run time).
package catalog
