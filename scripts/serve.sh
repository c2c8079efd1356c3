#!/usr/bin/env bash
# `make serve`: sluice serve on the examples. As root, with Envoy available (.ci/deps/envoy.sh
# fetches the pinned release build into the cache when it can), it also runs and supervises the
# local Envoy (--envoy), so the example policies are enforced by a real proxy on this host, not
# only served; Envoy's inbound listener is transparent, which needs root. Arguments are passed on.
set -uo pipefail
cd "$(dirname "$0")/.."
args=()
if [ "$(id -u)" -eq 0 ]; then
  bash .ci/deps/envoy.sh >/dev/null 2>&1 || true
  if node -e "const m = await import('./dist/controller/index.js'); process.exit('path' in m.findEnvoy() ? 0 : 1)" --input-type=module 2>/dev/null; then
    args+=(--envoy)
  else
    echo "serve: no Envoy binary (run .ci/deps/envoy.sh): serving without a local Envoy" >&2
  fi
else
  echo "serve: not root: serving without a local Envoy (as root, make serve also runs Envoy: --envoy)" >&2
fi
exec node dist/cli/main.js serve "${args[@]}" "$@"
