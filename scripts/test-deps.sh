#!/usr/bin/env bash
# Makes the tests' system packages and peers available: runs every .ci/deps/*.sh (each installs
# its area's as root, caches heavy peers outside the repo, and says what it skips otherwise).
set -uo pipefail
cd "$(dirname "$0")/.."
for dep in .ci/deps/*.sh; do
  [ -f "$dep" ] || continue
  bash "$dep" || { echo "test-deps.sh: $dep failed" >&2; exit 1; }
done
