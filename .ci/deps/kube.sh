#!/usr/bin/env bash
# Kubernetes area: a real kube-apiserver and etcd for the controller and webhook suites, built
# from the Go module proxy (no prebuilt binary is reachable from here): a wrapper module requires
# k8s.io/kubernetes and replaces every ./staging module of its go.mod with the published v0.X
# version; etcd comes from the same module at the version kubernetes pins. The binaries are cached
# outside the repo in $SLUICE_CACHE/kube-<version>/ (about 6 min cold on 2 cores, seconds with warm
# Go caches). Idempotent; quick when the binaries are present.
set -euo pipefail

K8S_VERSION=1.34.4
if [ "$(id -u)" -eq 0 ]; then default_cache=/var/cache/sluice; else default_cache="$HOME/.cache/sluice"; fi
CACHE="${SLUICE_CACHE:-$default_cache}"
DIR="$CACHE/kube-$K8S_VERSION"

if [ -x "$DIR/kube-apiserver" ] && [ -x "$DIR/etcd" ]; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "kube.sh: no Go toolchain; the Kubernetes suites will say they skip" >&2
  exit 0
fi

minor=${K8S_VERSION#*.}; minor=${minor%%.*}
patch=${K8S_VERSION##*.}
work="$DIR/module"
mkdir -p "$work"
cd "$work"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
echo "kube.sh: building kube-apiserver v$K8S_VERSION and etcd into $DIR (several minutes the first time)"
# The replace list: every k8s.io module kubernetes' own go.mod points at ./staging.
gomod=$(go mod download -json "k8s.io/kubernetes@v$K8S_VERSION" | sed -n 's/.*"GoMod": "\(.*\)",/\1/p')
staging=$(sed -n 's#^\s*\(k8s.io/[^ ]*\) => ./staging/.*#\1#p' "$gomod" | sort -u)
{
  echo "module sluice.local/kube-build"
  echo
  echo "go 1.24.0"
  echo
  echo "require k8s.io/kubernetes v$K8S_VERSION"
  echo
  echo "replace ("
  for m in $staging; do echo "	$m => $m v0.$minor.$patch"; done
  echo ")"
} > go.mod
cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
GO
go mod tidy >/dev/null
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
go build -trimpath -ldflags "$ldflags" -o "$DIR/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "-s -w" -o "$DIR/etcd.tmp" go.etcd.io/etcd/server/v3
mv -f "$DIR/kube-apiserver.tmp" "$DIR/kube-apiserver"
mv -f "$DIR/etcd.tmp" "$DIR/etcd"
echo "kube.sh: $("$DIR/kube-apiserver" --version), etcd $("$DIR/etcd" --version | head -1)"
