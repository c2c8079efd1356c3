#!/usr/bin/env bash
# Kubernetes area: a real `helm` for `helm lint` and `helm template` of deploy/helm/sluice (the
# chart's tests), built from the Go module proxy (no prebuilt binary is reachable from here) into
# $SLUICE_CACHE/helm-<version>/helm. About 2-4 minutes cold on 2 cores, seconds with warm Go
# caches. Idempotent; quick when the binary is present.
set -euo pipefail

HELM_VERSION=3.19.5
if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/sluice; else default_cache="$HOME/.cache/sluice"; fi
CACHE="${SLUICE_CACHE:-$default_cache}"
DIR="$CACHE/helm-$HELM_VERSION"

if [ -x "$DIR/helm" ]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "helm.sh: no Go toolchain; the chart's helm tests will say they skip" >&2
  exit 0
fi
mkdir -p "$DIR"
echo "helm.sh: building helm v$HELM_VERSION into $DIR (a few minutes the first time)"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$DIR/bin.tmp"
go install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
mv -f "$DIR/bin.tmp/helm" "$DIR/helm"
rmdir "$DIR/bin.tmp" 2>/dev/null || true
echo "helm.sh: $("$DIR/helm" version --short)"
