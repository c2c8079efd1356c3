#!/usr/bin/env bash
# Runs every test with jest and prints the result as the plain line `jest: N passed, N failed`.
# `make test` runs it after installing the test peers (scripts/test-deps.sh) and building.
set -uo pipefail
cd "$(dirname "$0")/.."
result=$(mktemp /tmp/sluice-jest-XXXXXX.json)
NODE_OPTIONS='--experimental-vm-modules --disable-warning=ExperimentalWarning' \
  node node_modules/jest/bin/jest.js --json --outputFile="$result" "$@"
status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numPendingTests) console.log(`jest: ${r.numPendingTests} skipped (each says why in its output)`);
' "$result" || status=1
rm -f "$result"
exit $status
