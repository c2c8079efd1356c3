/**
 * Inbound steering on the real kernel, about the kernel programs alone (a stand-in proxy that
 * answers itself; the real-Envoy suites in test/e2e cover the product): a connection from another
 * netns over a veth pair to a protected workload port is handed by sk_lookup to the listener the
 * proxy registered from its cgroup, keeping the original destination as its local address; with no
 * proxy listening it is refused (RST), never delivered to the workload, unless the rule fails
 * open; a listener opened outside the proxy cgroup is never a steering target; and only the
 * proxy's connections that carry the inbound-leg mark reach the workload unsteered.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abi, openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import type { InboundRedirect } from '../../policy-compiler/index.js';
import { describeKernel, repoRoot, testPinRoot, testPort } from './kernel.js';

describeKernel('bpf inbound redirect (sk_lookup + proxy listener registration)', () => {
  const box = new Sandbox();
  let net = ''; // a /24 of 10.231.0.0/16 claimed for this file (box.subnet)
  const workloadPort = testPort();
  const proxyPort = workloadPort + 1;
  const pinRoot = testPinRoot('in');
  let remote = '';
  let proxyCgroup = '';
  let dp: RedirectDataplane;
  let proxy: Peer | undefined;
  let workload: Peer;
  const entry = (more: Partial<InboundRedirect> = {}): InboundRedirect => ({ node: 'n1', direction: 'inbound', address: `${net}.1`, port: workloadPort, proxyPort, failOpen: false, ...more });

  beforeAll(async () => {
    net = `10.231.${box.subnet('10.231')}`;
    remote = box.netns('remote');
    const link = box.veth(undefined, remote, `${net}.1/24`, `${net}.2/24`);
    const workloadCgroup = box.cgroup('wl');
    proxyCgroup = box.cgroup('proxy');
    dp = openRedirectDataplane({ cgroup: workloadCgroup, pinRoot, proxyCgroups: [proxyCgroup], inboundInterfaces: [link.local] });
    box.onCleanup(() => {
      dp.close();
      unloadDataplane({ pinRoot });
    });
    workload = box.peer(['echo', '--listen', `${net}.1:${workloadPort}`, '--name', 'workload']);
    await workload.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  // The stand-in answers "proxy <its local address>", which is the original destination when steered.
  const startProxy = async (): Promise<Peer> => {
    const p = box.peer(['echo', '--listen', `${net}.1:${proxyPort}`, '--name', 'proxy'], { cgroup: proxyCgroup });
    await p.waitFor((l) => l.event === 'listening');
    return p;
  };
  const stopProxy = async (): Promise<void> => {
    proxy?.child.kill('SIGKILL');
    await proxy?.exited;
    proxy = undefined;
  };
  const remoteClient = async (timeoutMs = 10_000): Promise<string> => {
    const client = box.peer(['client', '--connect', `${net}.1:${workloadPort}`, '--timeout', String(timeoutMs)], { netns: remote });
    const reply = await client.waitFor((l) => l.event === 'reply' || l.event === 'error', timeoutMs + 5000);
    await client.exited;
    return String(reply.line ?? reply.message);
  };
  const steered = (): string => `proxy ${net}.1:${workloadPort}`; // the proxy's socket, with the workload's address as its own
  const direct = (): string => `workload ${net}.1:${workloadPort}`;

  it('reaches the workload directly while no inbound entry exists', async () => {
    proxy = await startProxy();
    expect(await remoteClient()).toBe(direct());
  });

  it('steers a new connection for the protected port to the proxy with its original destination intact', async () => {
    expect(dp.sync([entry()])).toMatchObject({ added: 1 });
    expect(dp.listeners()).toContainEqual({ family: 2, port: proxyPort });
    expect(await remoteClient()).toBe(steered());
    const status = dp.status();
    expect(status.stats.in_assigned).toBeGreaterThanOrEqual(1n);
    expect(status.attachments.some((a) => a.kind === 'netns' && a.hook === 'sk_lookup')).toBe(true);
    expect(status.rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${workloadPort} → :${proxyPort}`]);
  });

  it('lets the proxy\'s inbound leg (marked) reach the workload, and steers its unmarked connections like any client\'s', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sluice-leg-'));
    try {
      const binary = join(tmp, 'marked-client');
      execFileSync('cc', ['-O2', '-o', binary, join(repoRoot, 'test', 'bpf', 'fixtures', 'marked-client.c')]);
      const fromProxy = (mark: number): string =>
        execFileSync('sh', ['-c', `echo $$ > '${proxyCgroup}/cgroup.procs' && exec "$@"`, 'sh', binary, String(mark), `${net}.1`, String(workloadPort)], { encoding: 'utf8' }).trim();
      const legs = dp.status().stats.in_proxy_leg;
      expect(fromProxy(abi.INBOUND_LEG_MARK)).toBe(direct());
      expect(dp.status().stats.in_proxy_leg).toBe(legs + 1n);
      expect(fromProxy(0x7)).toBe(steered()); // e.g. the proxy's outbound leg to a workload of this node
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('refuses a new connection while no proxy listens, and never hands it to the workload', async () => {
    await stopProxy();
    expect(dp.listeners()).not.toContainEqual({ family: 2, port: proxyPort }); // gone with its socket
    const seenByWorkload = workload.lines.length;
    const refused = dp.status().stats.in_refused;
    expect(await remoteClient()).toMatch(/ECONNREFUSED/);
    expect(dp.status().stats.in_refused).toBeGreaterThan(refused);
    expect(workload.lines.length).toBe(seenByWorkload);
  });

  it('steers again as soon as a proxy listens again', async () => {
    proxy = await startProxy();
    expect(await remoteClient()).toBe(steered());
  });

  it('never steers to a listener opened outside the proxy cgroup', async () => {
    await stopProxy();
    const impostor = box.peer(['proxy', '--listen', `${net}.1:${proxyPort}`]); // same port, the test's own cgroup
    try {
      await impostor.waitFor((l) => l.event === 'listening');
      expect(dp.listeners()).not.toContainEqual({ family: 2, port: proxyPort });
      expect(await remoteClient()).toMatch(/ECONNREFUSED/);
      expect(impostor.lines.filter((l) => l.event === 'accept')).toHaveLength(0); // never handed a connection
    } finally {
      impostor.child.kill('SIGKILL');
      await impostor.exited;
    }
  });

  it('delivers to the workload while no proxy listens when the rule fails open, and counts it', async () => {
    expect(dp.sync([entry({ failOpen: true })])).toMatchObject({ changed: 1 });
    const before = dp.status().stats.in_fail_open;
    expect(await remoteClient()).toBe(direct());
    expect(dp.status().stats.in_fail_open).toBeGreaterThan(before);
    expect(dp.status().rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${workloadPort} → :${proxyPort} (fail-open)`]);
  });

  it('passes traffic through again once the entry is removed', async () => {
    proxy = await startProxy();
    expect(dp.sync([])).toMatchObject({ removed: 1 });
    expect(await remoteClient()).toBe(direct());
  });
});
