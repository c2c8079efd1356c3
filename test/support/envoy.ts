/**
 * Suites that run real Envoy. Envoy is a test peer in CI (.ci/deps/envoy.sh installs it), so there
 * a missing binary fails the suite; elsewhere the suite says why it skips.
 */
import { existsSync } from 'node:fs';
import { describe, it } from '@jest/globals';
import { findObject } from '../../bpf/index.js';
import { findEnvoy } from '../../bench/envoy/process.js';
import { missingForKernelTests } from '../../bench/redirect/sandbox.js';

export function describeEnvoy(name: string, fn: () => void): void {
  const found = findEnvoy();
  if ('path' in found) {
    describe(name, fn);
  } else if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has the Envoy binary CI installs', () => {
        throw new Error(found.missing);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${found.missing}`);
    describe.skip(name, fn);
  }
}

/**
 * Suites on the real data path (bench/envoy/bed.ts): the kernel test bed (root, cgroup v2, bpffs,
 * BTF, the compiled eBPF object and peers) and Envoy. In CI all of it is there, so a missing piece
 * fails the suite; elsewhere the suite says what is missing and skips.
 */
export function describeDataPath(name: string, fn: () => void): void {
  const missing = missingForKernelTests() ?? missingObject() ?? missingPeers() ?? (() => {
    const found = findEnvoy();
    return 'missing' in found ? found.missing : undefined;
  })();
  if (!missing) describe(name, fn);
  else if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has what CI installs for the data-path suites', () => {
        throw new Error(missing);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(name, fn);
  }
}

function missingObject(): string | undefined {
  try {
    findObject();
    return undefined;
  } catch {
    return 'bpf/build/redirect.bpf.o is not built (make -C bpf needs clang, bpftool, libbpf-dev)';
  }
}

function missingPeers(): string | undefined {
  return existsSync(new URL('../../dist/bench/envoy/workload.js', import.meta.url)) ? undefined : 'dist/bench/envoy/workload.js is not built (run make build)';
}
