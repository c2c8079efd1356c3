#!/usr/bin/env bash
# eBPF area: the toolchain that builds bpf/redirect.c (clang, llvm, libbpf-dev, bpftool), iproute2
# and iptables for the kernel tests and the redirect benchmark, then the two filesystems the
# loader needs: bpffs at /sys/fs/bpf and a cgroup v2 hierarchy. Idempotent; quick when satisfied.
set -euo pipefail

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v llvm-strip >/dev/null 2>&1 || need+=(llvm)
[ -f /usr/include/bpf/libbpf.h ] || need+=(libbpf-dev)
command -v bpftool >/dev/null 2>&1 || need+=(bpftool)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v iptables >/dev/null 2>&1 || need+=(iptables)

if [ "$(id -u)" -ne 0 ]; then
  [ ${#need[@]} -eq 0 ] || echo "bpf.sh: not root, not installing: ${need[*]} (the kernel tests will skip)" >&2
  exit 0
fi

if [ ${#need[@]} -gt 0 ]; then
  echo "bpf.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" libbpf1 >/dev/null
fi

# bpffs: where the loader pins maps, programs and links so they outlive the controller.
if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
  mkdir -p /sys/fs/bpf
  mount -t bpf bpf /sys/fs/bpf || echo "bpf.sh: could not mount bpffs at /sys/fs/bpf" >&2
fi

# cgroup v2: the connect/sockops/getsockopt hooks attach to cgroup v2 directories only.
if ! awk '$3 == "cgroup2" { found = 1 } END { exit !found }' /proc/mounts; then
  if [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = "tmpfs" ]; then
    target=/sys/fs/cgroup/unified
  else
    target=/run/sluice-cgroup2
  fi
  mkdir -p "$target"
  mount -t cgroup2 none "$target" || echo "bpf.sh: could not mount cgroup2 at $target" >&2
fi
