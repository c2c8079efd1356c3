/**
 * A controller restart on the real kernel: the controller (a separate process) loads, syncs and
 * exits; a held connection through the proxy stays up; a second controller run reuses the pinned
 * maps (entries intact, nothing rewritten) and updates the pinned links in place; the CLI shows
 * and finally removes it all.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import { cliMain, describeKernel, repoRoot, testPinRoot, testPort } from './kernel.js';

const CONTROLLER = `
const [cgroup, proxyCgroup, pinRoot, entries, dist] = process.argv.slice(1);
const { openRedirectDataplane } = await import(dist);
const dp = openRedirectDataplane({ cgroup, proxyCgroups: [proxyCgroup], pinRoot });
const sync = dp.sync(JSON.parse(entries));
const a = dp.attached;
console.log(JSON.stringify({ created: a.created.length, updated: a.updated.length, reusedMaps: a.reusedMaps.length, sync }));
dp.close();
`;

describeKernel('bpf controller restart and the bpf CLI', () => {
  const box = new Sandbox();
  let net = ''; // a /24 of 10.231.0.0/16 claimed for this file (box.subnet)
  const servicePort = testPort();
  const proxyPort = servicePort + 1;
  const pinRoot = testPinRoot('restart');
  let workload = '';
  let proxyCgroup = '';
  let proxy: Peer;
  let held: Peer;
  const entries = (): string => JSON.stringify([{ node: 'n1', direction: 'outbound', address: `${net}.2`, port: servicePort, proxyPort, workloads: ['test/wl'], bind: {} }]);

  const controller = (): { created: number; updated: number; reusedMaps: number; sync: Record<string, number> } => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', CONTROLLER, workload, proxyCgroup, pinRoot, entries(), join(repoRoot, 'dist', 'bpf', 'index.js')],
      { encoding: 'utf8' },
    );
    return JSON.parse(out) as { created: number; updated: number; reusedMaps: number; sync: Record<string, number> };
  };
  const cli = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [cliMain() ?? 'dist/cli/main.js', 'bpf', ...args, '--pin-root', pinRoot], { encoding: 'utf8' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const echoed = async (text: string): Promise<void> => {
    held.child.stdin?.write(`${text}\n`);
    await held.waitFor((l) => l.event === 'echo' && l.line === text);
  };

  beforeAll(async () => {
    net = `10.231.${box.subnet('10.231')}`;
    const ns = box.netns('svc');
    box.veth(undefined, ns, `${net}.1/24`, `${net}.2/24`);
    workload = box.cgroup('wl');
    proxyCgroup = box.cgroup('proxy', workload);
    box.onCleanup(() => void cli('unload'));
    const service = box.peer(['echo', '--listen', `${net}.2:${servicePort}`, '--name', 'service'], { netns: ns });
    proxy = box.peer(['proxy', '--listen', `127.0.0.1:${proxyPort}`], { cgroup: proxyCgroup });
    for (const p of [service, proxy]) await p.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  it('first controller run attaches, fills the maps and exits; a connection goes through the proxy', async () => {
    const first = controller();
    // 4 workload hooks, the proxy's listener registration, sk_lookup on this netns; the rule and the workload's identity
    expect(first).toMatchObject({ created: 6, updated: 0, reusedMaps: 0, sync: { added: 2, removed: 0, unchanged: 0 } });
    held = box.peer(['client', '--connect', `${net}.2:${servicePort}`, '--hold'], { cgroup: workload });
    expect((await held.waitFor((l) => l.event === 'reply')).line).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor((l) => l.event === 'accept');
    expect(proxy.lines.filter((l) => l.event === 'accept')).toHaveLength(1);
    await echoed('before-restart');
  });

  it('a restarted controller reuses maps and links without touching entries; the held connection lives on', async () => {
    const second = controller();
    expect(second).toMatchObject({ created: 0, updated: 6, reusedMaps: 12, sync: { added: 0, removed: 0, changed: 0, unchanged: 2 } });
    await echoed('after-restart');
    const client = box.peer(['client', '--connect', `${net}.2:${servicePort}`], { cgroup: workload });
    expect((await client.waitFor((l) => l.event === 'reply')).line).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor(() => proxy.lines.filter((l) => l.event === 'accept').length >= 2);
    expect(proxy.lines.filter((l) => l.event === 'accept')).toHaveLength(2);
  });

  it('bpf status shows attachments and rules in readable form', () => {
    const r = cli('status');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`outbound cg\\d+ ${net.replace(/\./g, '\\.')}\\.2:${servicePort} → 127\\.0\\.0\\.1:${proxyPort} \\(no source bound\\)`));
    for (const hook of ['connect4', 'connect6', 'sockops', 'getsockopt', 'proxy_sockops']) expect(r.stdout).toMatch(new RegExp(`cgroup \\d+ ${hook}\\s+prog \\d+ sluice_`));
    expect(r.stdout).toMatch(/netns \d+ sk_lookup\s+prog \d+ sluice_/);
    expect(r.stdout).toMatch(/proxy cgroups: \d+/);
    const json = JSON.parse(cli('status', '-o', 'json').stdout) as { rules: Array<{ port: number }> };
    expect(json.rules.map((x) => x.port)).toEqual([servicePort]);
  });

  it('bpf load again through the CLI is idempotent', () => {
    const r = spawnSync(process.execPath, [cliMain() ?? '', 'bpf', 'load', '--cgroup', workload, '--proxy-cgroup', proxyCgroup, '--pin-root', pinRoot], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/0 attachment\(s\) created, 6 updated in place, 12 map\(s\) reused/);
  });

  it('bpf unload removes everything; established connections are not cut, new ones go direct', async () => {
    const r = cli('unload');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pin\(s\) removed/);
    const after = cli('status');
    expect(after.status).toBe(3);
    expect(after.stderr).toContain('[not-loaded]');
    await echoed('after-unload');
    const client = box.peer(['client', '--connect', `${net}.2:${servicePort}`], { cgroup: workload });
    expect((await client.waitFor((l) => l.event === 'reply')).line).toBe(`service ${net}.2:${servicePort}`);
    expect(proxy.lines.filter((l) => l.event === 'accept')).toHaveLength(2);
  });
});
