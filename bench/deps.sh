#!/usr/bin/env bash
# What the Envoy benchmarks (bench:l7, bench:redirect) need beyond the test peers, installed with
# apt as root: the load generators wrk (HTTP/1.1) and h2load (nghttp2-client: HTTP/2 and gRPC),
# and nft (nftables), which bench:redirect uses to delete the nat table it made after each
# iptables run. Envoy itself comes from .ci/deps/envoy.sh; Go builds the benchmark upstream.
# The benchmarks are not run in CI; each says what is missing when it cannot run.
set -euo pipefail

packages=()
command -v wrk >/dev/null || packages+=(wrk)
command -v h2load >/dev/null || packages+=(nghttp2-client)
command -v nft >/dev/null || packages+=(nftables)
if [ ${#packages[@]} -eq 0 ]; then
  echo "bench/deps.sh: wrk, h2load and nft are installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/deps.sh: run as root, or: apt-get install ${packages[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
command -v go >/dev/null || echo "bench/deps.sh: no Go toolchain: the benchmarks build their upstream (bench/l7/upstream) with it" >&2
