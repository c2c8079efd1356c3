/**
 * An environment failure reaches `sluice serve`'s JSON log in full. A real `serve` process is asked
 * to manage the eBPF dataplane (`--bpf-cgroup`) under a pin root where a map of sluice's name and
 * key/value shape, but another size, is already pinned (as an older build with other limits would
 * leave it): sluice's own shape check passes, and libbpf refuses to reuse the map, so the kernel
 * load fails the same way every time. The log line must carry the `BpfError`'s name, code, message
 * and libbpf's lines (`details`) exactly as `sluice bpf load` prints them for the same failure;
 * and nothing may be left attached to the cgroup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { abi, MAP_SHAPES } from '../../bpf/index.js';
import { Sandbox } from '../../bench/redirect/sandbox.js';
import { describeKernel, repoRoot, testPinRoot } from '../bpf/kernel.js';
import { CLI, staleBuild } from '../support/serve-process.js';

const MAP = abi.MAP_NAMES.inboundIfaces;

/** SLUICE_MAX_IFACES as redirect.h defines it (the size the object asks for). */
function definedSize(): number {
  const header = fs.readFileSync(path.join(repoRoot, 'bpf', 'redirect.h'), 'utf8');
  const m = /#define SLUICE_MAX_IFACES (\d+)/.exec(header);
  if (!m?.[1]) throw new Error('SLUICE_MAX_IFACES not found in bpf/redirect.h');
  return Number(m[1]);
}

/** libbpf's lines name the fds it opened; two processes may number them differently. */
const withoutFds = (lines: readonly string[]) => lines.map((l) => l.replace(/fd=\d+/g, 'fd=N'));

const stale = staleBuild();
if (stale) console.warn(`serve-bpf-load-failure: skipped: ${stale}`);

describeKernel(
  'serve logs an eBPF load failure in full (code, message, libbpf lines)',
  () => {
    const box = new Sandbox();
    const pinRoot = testPinRoot('loadfail');
    const pinned = path.join(pinRoot, 'maps', MAP);
    let cgroup: string;
    let dir: string;

    beforeAll(() => {
      cgroup = box.cgroup('loadfail');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-serve-bpf-fail-'));
      fs.mkdirSync(path.join(pinRoot, 'maps'), { recursive: true });
      const shape = MAP_SHAPES.inboundIfaces;
      expect(shape.type).toBe(1); // BPF_MAP_TYPE_HASH, "hash" to bpftool
      const entries = definedSize() + 1;
      execFileSync('bpftool', ['map', 'create', pinned, 'type', 'hash', 'key', String(shape.keySize), 'value', String(shape.valueSize), 'entries', String(entries), 'name', MAP]);
      const info = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'pinned', pinned], { encoding: 'utf8' })) as { max_entries: number; bytes_key: number };
      expect(info).toMatchObject({ max_entries: entries, bytes_key: shape.keySize });
    });

    afterAll(async () => {
      fs.rmSync(pinRoot, { recursive: true, force: true });
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
      await box.cleanup();
    });

    const run = (args: readonly string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });

    (stale ? it.skip : it)('exits 3, and its JSON log line has the BpfError with code load-failed and every libbpf line sluice bpf load prints', () => {
      const serve = run([
        'serve',
        '--policies', path.join(repoRoot, 'examples', 'policies'),
        '--inventory', path.join(repoRoot, 'examples', 'inventory.yaml'),
        '--xds-address', '127.0.0.1:0',
        '--admin-address', '127.0.0.1:0',
        '--state-dir', path.join(dir, 'state'),
        '--bpf-cgroup', cgroup,
        '--bpf-pin-root', pinRoot,
      ]);
      expect(serve.error).toBeUndefined();
      expect(serve.status).toBe(3);
      const records = serve.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const failure = records.find((r) => r.msg === 'sluice serve cannot start');
      expect(failure).toMatchObject({ level: 'error' });
      const error = failure?.error as { name: string; code: string; message: string; details: string[] };
      expect(error).toMatchObject({ name: 'BpfError', code: 'load-failed', message: expect.stringMatching(/^the kernel refused .*redirect\.bpf\.o: EINVAL \(22\)/) });
      // libbpf's own account of why: the pinned map's parameters do not match the object's.
      expect(error.details).toContain(`libbpf: couldn't reuse pinned map at '${pinned}': parameter mismatch`);
      expect(error.details).toContain(`libbpf: map '${MAP}': error reusing pinned map`);
      // The plain stderr lines say the same: message, code and details.
      expect(serve.stderr).toContain(`sluice serve: ${error.message} [${error.code}]\n${error.details.map((l) => `  ${l}\n`).join('')}`);

      // `sluice bpf load` on the same failure: the same code, message and lines (it prints each indented, as libbpf or the verifier wrote it).
      const load = run(['bpf', 'load', '--cgroup', cgroup, '--pin-root', pinRoot]);
      expect(load.status).toBe(3);
      const [head, ...lines] = load.stderr.trimEnd().split('\n');
      expect(head).toBe(`sluice bpf load: ${error.message} [${error.code}]`);
      expect(withoutFds(error.details)).toEqual(withoutFds(lines.map((l) => l.replace(/^ {2}/, ''))));

      // The failed load left nothing attached to the workload cgroup, and the foreign map as it was.
      const attached = JSON.parse(execFileSync('bpftool', ['-j', 'cgroup', 'show', cgroup], { encoding: 'utf8' }).trim() || '[]') as unknown[];
      expect(attached).toEqual([]);
      expect(fs.readdirSync(path.join(pinRoot, 'maps'))).toEqual([MAP]);
    });
  },
  { needPeers: false },
);
