#!/usr/bin/env bash
# Runs every test. First each `.ci/deps/*.sh` makes its system packages and test peers available
# (installing them when run as root, caching heavy peers outside the repo); then jest runs, and
# the result is printed as the plain line `jest: N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
for dep in .ci/deps/*.sh; do
  [ -f "$dep" ] || continue
  bash "$dep" || { echo "test.sh: $dep failed" >&2; exit 1; }
done
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
