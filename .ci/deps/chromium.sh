#!/usr/bin/env bash
# Browser area: Debian's Chromium for the tests of the pages sluice serves (the service map at
# /map), driven headless by puppeteer-core with executablePath /usr/bin/chromium (no browser
# download: the machine reaches Debian, not a browser CDN). Idempotent; quick when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium.sh: not root, not installing chromium (the browser tests will say they skip)" >&2
  exit 0
fi
echo "chromium.sh: installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
