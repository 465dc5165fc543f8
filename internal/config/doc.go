// Package config is the configuration of `permledger serve`: a struct with
// Default, Load (a JSON file, decoded strictly, over the defaults) and
// Validate (every problem at once), and the NATS connection settings
// (credentials and TLS) that serve and the command-line clients share.
// The program layers it: defaults, then the file, then environment
// variables, then flags; this package only knows the first two.
//
// It must never import NATS servers, Pebble or the ledger: it describes,
// it does not open. Its LogValue methods hide every secret.
package config
