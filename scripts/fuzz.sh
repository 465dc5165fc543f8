#!/usr/bin/env bash
# Runs permledger's fuzz targets, one `go test -fuzz` run per target (Go
# fuzzes one target at a time), each for FUZZTIME (default 20s):
#
#   scripts/fuzz.sh                  # every target
#   FUZZTIME=5m scripts/fuzz.sh      # longer
#   scripts/fuzz.sh FuzzCheck        # only targets whose name matches
#
# The seed corpora in each package's testdata/fuzz/ run in every plain
# `go test ./...`; what the fuzzer finds new goes to Go's cache, and a
# failing input is written to testdata/fuzz/<Target>/ for `go test` to
# replay (commit it with the fix). It prints one line per target with its
# executions, and exits non-zero on the first failure, after its output.
#
# Go 1.26's fuzz coordinator sometimes fails a target with a bare "context
# deadline exceeded" as -fuzztime ends (golang/go#75804, fixed in Go 1.27).
# That failure writes no input to testdata/fuzz/; it is reported as a
# flake, not a failure. Any failure that writes an input fails the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fuzztime="${FUZZTIME:-20s}"
filter="${1:-}"

targets=(
	"./commands FuzzCommand"
	"./events FuzzDecodeBatch"
	"./events FuzzUpcast"
	"./events FuzzDecodeBatchShared"
	"./events FuzzFastDecodeBatchMatchesJSON"
	"./events FuzzFastDecodePayloadMatchesJSON"
	"./events FuzzFastEncodeMatchesJSON"
	"./readmodel FuzzDecodeUser"
	"./catalog FuzzParseContext"
	"./catalog FuzzValidateName"
	"./catalog FuzzPermission"
	"./catalog FuzzParseCatalog"
	"./policy FuzzCheck"
	"./internal/strictjson FuzzObjectKeys"
)

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for t in "${targets[@]}"; do
	read -r pkg name <<<"$t"
	if [ -n "$filter" ] && [[ "$name" != *"$filter"* ]]; then
		continue
	fi
	start=$SECONDS
	corpus="${pkg#./}/testdata/fuzz/$name"
	before="$( (ls "$corpus" 2>/dev/null || true) | wc -l)"
	status=ok
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" >"$out" 2>&1; then
		after="$( (ls "$corpus" 2>/dev/null || true) | wc -l)"
		if [ "$after" -ne "$before" ] || ! grep -q '^    context deadline exceeded$' "$out" ||
			grep -q -E '^\s+(panic|fuzz_test|.*_test\.go:[0-9]+)' "$out"; then
			cat "$out"
			echo "FAIL $name ($pkg)"
			exit 1
		fi
		status="flake: context deadline exceeded at the end, no input written (golang/go#75804)"
	fi
	last="$(grep -E '^fuzz: elapsed' "$out" | tail -n 1 | sed -E 's/ \([0-9]+\/sec\)//' || true)"
	printf '%-18s %-11s %3ds  %s  %s\n' "$name" "$pkg" "$((SECONDS - start))" "${last#fuzz: }" "$status"
done
