/**
 * The node agent's eBPF loader needs exactly the capabilities the chart gives it, measured on this
 * kernel: `sluice bpf load` run as UID 0 with every capability dropped but the ones named
 * (setpriv: bounding, inheritable and ambient sets) attaches the programs with CAP_BPF and
 * CAP_NET_ADMIN: the kernel accepts every load and attach. With either alone it is refused (by
 * sluice's own check of its capabilities, before the kernel would refuse). CAP_SYS_RESOURCE (RLIMIT_MEMLOCK) matters only
 * on kernels before 5.11, which charge BPF maps to memlock; the chart keeps it for them
 * (`nodeAgent.memlockCapability`). Needs root, cgroup v2, bpffs and the built object and CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findCgroup2Mount } from '../../bpf/index.js';
import { missingForKernelTests } from '../../bench/redirect/sandbox.js';

const CLI = path.resolve('dist/cli/main.js');
const missing = missingForKernelTests() ?? (fs.existsSync(CLI) ? undefined : 'dist/cli/main.js is not built (make build)') ?? (fs.existsSync('/usr/bin/setpriv') ? undefined : 'no setpriv (util-linux)');
const describeCaps = (name: string, fn: () => void) => {
  if (!missing) describe(name, fn);
  else if (process.env['CI'] === 'true') describe(name, () => it('has what the kernel suites need', () => { throw new Error(missing); }));
  else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(name, fn);
  }
};

describeCaps('the eBPF loader\'s capabilities, measured', () => {
  const tag = `sluice-caps-${process.pid}`;
  let cgroup: string;
  const pin = `/sys/fs/bpf/${tag}`;
  const load = (caps: readonly string[]) => {
    const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
    return spawnSync('setpriv', ['--reuid=0', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, process.execPath, CLI, 'bpf', 'load', '--cgroup', cgroup, '--pin-root', pin], { encoding: 'utf8' });
  };
  const unload = () => spawnSync(process.execPath, [CLI, 'bpf', 'unload', '--pin-root', pin], { encoding: 'utf8' });

  beforeAll(() => {
    cgroup = path.join(findCgroup2Mount() ?? '/sys/fs/cgroup', tag);
    fs.mkdirSync(cgroup, { recursive: true });
  });
  afterAll(() => {
    unload();
    fs.rmSync(cgroup, { recursive: true, force: true });
  });

  it('attaches with CAP_BPF and CAP_NET_ADMIN alone', () => {
    const r = load(['bpf', 'net_admin']);
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0, out: expect.stringContaining('attachment(s) created') });
    expect(unload().status).toBe(0);
  });

  it.each([[['bpf']], [['net_admin']], [[]]])('is refused with only %j', (caps) => {
    const r = load(caps);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('needs root (CAP_BPF and CAP_NET_ADMIN, or CAP_SYS_ADMIN)');
    unload();
  });
});
