/**
 * Transparent mode for real: in a private network namespace, an iptables REDIRECT sends the
 * client's connections to the broker into `sluice kafka-proxy` (no --upstream), which finds the
 * broker with SO_ORIGINAL_DST (bpf/'s `originalDestination`) and enforces the policy covering it.
 * Needs root, iptables, kcat, the mock broker and a built CLI (make build); says why it skips.
 */
import { expect, jest, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kcatAvailable, mockBrokerBinary, mockUnavailable } from './harness.js';

jest.setTimeout(180_000);

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '..', '..', 'dist', 'cli', 'main.js');

function unavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespace and iptables)';
  for (const tool of ['iptables', 'unshare', 'setpriv', 'curl']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  if (!kcatAvailable()) return 'kcat is not installed';
  if (!existsSync(cli)) return 'dist/cli/main.js is not built (run make build)';
  return mockUnavailable();
}

const why = unavailable();
if (why) console.warn(`[skip] kafka-proxy transparent mode: ${why}`);

(why ? test.skip : test)('iptables REDIRECT → proxy → original destination: allowed topic served, denied topic refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-kafka-transparent-'));
  try {
    const run = spawnSync('unshare', ['-n', 'bash', path.join(here, 'transparent.sh'), mockBrokerBinary(), cli, dir], { encoding: 'utf8', timeout: 150_000 });
    const out = `${run.stdout}\n${run.stderr}`;
    expect(run.status).toBe(0);
    const section = (name: string) => out.split(`== ${name}`)[1]?.split('\n== ')[0] ?? '';
    expect(section('produce orders')).not.toMatch(/failed/i);
    expect(section('produce secret')).toMatch(/Topic authorization failed/);
    expect(section('consume orders')).toContain('through-the-redirect');
    expect(section('metrics')).toMatch(/sluice_kafka_requests_total\{api="Produce",verdict="allow"\} [1-9]/);
    expect(section('metrics')).toMatch(/sluice_kafka_requests_total\{api="Metadata",verdict="(deny|partial)"\} [1-9]/);
    expect(section('flows')).toContain('"name":"secret"');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
