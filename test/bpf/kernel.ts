/**
 * Shared set-up for the kernel tests: decides at load time whether they can run here, and says
 * why not when they cannot (they always can in CI: root, kernel 6.18, .ci/deps/bpf.sh run).
 */
import { describe } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findObject } from '../../bpf/index.js';
import { missingForKernelTests, peerScript } from '../../bench/redirect/sandbox.js';

function missing(needPeers: boolean): string | undefined {
  const env = missingForKernelTests();
  if (env) return env;
  try {
    findObject();
  } catch {
    return 'bpf/build/redirect.bpf.o is not built (make -C bpf needs clang, bpftool, libbpf-dev)';
  }
  if (needPeers && !peerScript()) return 'dist/bench/redirect/peer.js is not built (run make build)';
  return undefined;
}

/** `describe`, or `describe.skip` with a printed reason when the kernel test bed is unavailable. */
export function describeKernel(name: string, fn: () => void, options: { needPeers?: boolean } = {}): void {
  const reason = missing(options.needPeers ?? true);
  if (reason) {
    console.warn(`[skip] ${name}: ${reason}`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

/** A unique pin root on bpffs for one test file. */
export function testPinRoot(tag: string): string {
  return join('/sys/fs/bpf', `sluice-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2, 6)}`);
}

/** A TCP port for a listener in a test (random in 20000-29999). */
export function testPort(): number {
  return 20000 + Math.floor(Math.random() * 10000);
}

export const repoRoot = join(new URL('.', import.meta.url).pathname, '..', '..');
export const cliMain = (): string | undefined => {
  const path = join(repoRoot, 'dist', 'cli', 'main.js');
  return existsSync(path) ? path : undefined;
};
