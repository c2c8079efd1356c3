/**
 * Hostile and missing environments: every one ends in a `BpfError` with a precise code and a
 * message naming the fix, and through the CLI in exit code 3 with no stack trace. Cases that
 * need a different environment (no bpffs, no cgroup2, no privileges) run the real CLI in a child
 * process: in a private mount namespace with the filesystem unmounted, or as an unprivileged user.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BpfError, attachDataplane, findCgroup2Mount, readStatus, unloadDataplane } from '../../bpf/index.js';
import { Sandbox } from '../../bench/redirect/sandbox.js';
import { cliMain, describeKernel, testPinRoot } from './kernel.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof BpfError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'no error';
}

function runCli(prefix: readonly string[], args: readonly string[]): { status: number | null; stderr: string } {
  const cli = cliMain();
  if (!cli) throw new Error('dist/cli/main.js is missing: run make build');
  const argv = [...prefix, process.execPath, cli, ...args];
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describeKernel('bpf loader in hostile or incomplete environments', () => {
  const box = new Sandbox();
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-env-'));
  let cgroup = '';
  const pinRoot = testPinRoot('env');

  beforeAll(() => {
    cgroup = box.cgroup('wl');
    box.onCleanup(() => rmSync(tmp, { recursive: true, force: true }));
    box.onCleanup(() => {
      // Also when a case failed half-way: nothing of this file may stay pinned.
      if (codeOf(() => unloadDataplane({ pinRoot })).startsWith('not-loaded')) return;
    });
  });
  afterAll(() => box.cleanup());

  it('names a cgroup path that does not exist', () => {
    expect(codeOf(() => attachDataplane({ cgroup: join(cgroup, 'nope'), pinRoot }))).toBe(`cgroup-not-found: cgroup ${join(cgroup, 'nope')} does not exist`);
  });

  it('refuses a directory that is not on cgroup v2', () => {
    expect(codeOf(() => attachDataplane({ cgroup: tmp, pinRoot }))).toMatch(/^no-cgroup2: cgroup .* is not on a cgroup v2 hierarchy/);
  });

  it('refuses a pin root that is not on bpffs', () => {
    expect(codeOf(() => attachDataplane({ cgroup, pinRoot: join(tmp, 'pins') }))).toMatch(/^no-bpffs: pin root .* is not on a bpf filesystem .*mount -t bpf/);
  });

  it('says how to build a missing object', () => {
    expect(codeOf(() => attachDataplane({ cgroup, pinRoot, objectPath: join(tmp, 'redirect.bpf.o') }))).toMatch(/^missing-object: .*make -C bpf/);
  });

  it('names an inbound interface that does not exist', () => {
    expect(codeOf(() => attachDataplane({ cgroup, pinRoot, inboundInterfaces: ['nosuchif0'] }))).toBe(
      'iface-not-found: network interface nosuchif0 does not exist in this network namespace',
    );
  });

  it('refuses a pinned map of the wrong shape instead of writing into it', () => {
    const root = testPinRoot('corrupt');
    mkdirSync(join(root, 'maps'), { recursive: true });
    box.onCleanup(() => rmSync(root, { recursive: true, force: true }));
    execFileSync('bpftool', ['map', 'create', join(root, 'maps', 'sluice_out_rules'), 'type', 'hash', 'key', '4', 'value', '4', 'entries', '8', 'name', 'bogus']);
    const message = codeOf(() => attachDataplane({ cgroup, pinRoot: root }));
    expect(message).toMatch(/^pin-corrupt: .*sluice_out_rules is not the map sluice pinned there: type 1, key 4 B, value 4 B; expected type 1, key 32 B, value 48 B/);
    expect(codeOf(() => readStatus(root))).toMatch(/^pin-corrupt: /);
  });

  it('refuses a link pin that is not a link, and unload still clears everything', () => {
    const report = attachDataplane({ cgroup, pinRoot });
    const linkPin = report.created.find((p) => p.endsWith('_connect4'));
    expect(linkPin).toBeDefined();
    rmSync(linkPin!);
    execFileSync('bpftool', ['map', 'create', linkPin!, 'type', 'array', 'key', '4', 'value', '4', 'entries', '1', 'name', 'notalink']);
    expect(codeOf(() => attachDataplane({ cgroup, pinRoot }))).toMatch(/^pin-corrupt: (.*connect4_link.* is not a BPF link|cannot update the connect4 link pinned at .*EINVAL)/);
    expect(unloadDataplane({ pinRoot }).removed.length).toBeGreaterThan(0);
    expect(codeOf(() => readStatus(pinRoot))).toBe(`not-loaded: nothing is loaded under ${pinRoot}`);
  });

  it('explains missing privileges (CLI as an unprivileged user)', () => {
    const r = runCli(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all'], ['bpf', 'load', '--cgroup', cgroup, '--pin-root', pinRoot]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/needs root \(CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, or CAP_SYS_ADMIN\); this process runs as uid 65534 .*\[no-privilege\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('explains a machine without bpffs (CLI in a mount namespace where it is unmounted)', () => {
    const r = runCli(['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'umount /sys/fs/bpf && exec "$@"', 'sh'], ['bpf', 'load', '--cgroup', cgroup]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/pin root \/sys\/fs\/bpf\/sluice is not on a bpf filesystem.*\[no-bpffs\]/);
  });

  it('explains a machine without cgroup v2 (CLI in a mount namespace where it is unmounted)', () => {
    const mount = findCgroup2Mount()!;
    const r = runCli(
      ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `umount -l '${mount}' && exec "$@"`, 'sh'],
      ['bpf', 'load', '--cgroup', mount, '--pin-root', pinRoot],
    );
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/is not on a cgroup v2 hierarchy.*\[no-cgroup2\]/);
  });
});
