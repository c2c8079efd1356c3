/**
 * Inbound steering on the real kernel, about the kernel programs alone (a stand-in proxy; the
 * real-Envoy suites in test/e2e cover the product): a connection from another netns over a veth
 * pair to a protected workload port is handed by sk_lookup to the listener the proxy registered
 * from its cgroup, keeping the original destination (and the client's source) as its addresses;
 * with no proxy listening it is refused (RST), never delivered to the workload, unless the rule
 * fails open; a listener opened outside the proxy cgroup is never a steering target.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import type { InboundRedirect } from '../../policy-compiler/index.js';
import { describeKernel, testPinRoot, testPort, testSubnet } from './kernel.js';

describeKernel('bpf inbound redirect (sk_lookup + proxy listener registration)', () => {
  const box = new Sandbox();
  const net = testSubnet(50);
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

  const startProxy = async (): Promise<Peer> => {
    const p = box.peer(['proxy', '--listen', `${net}.1:${proxyPort}`], { cgroup: proxyCgroup });
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
  const accepts = (): Array<Record<string, unknown>> => proxy?.lines.filter((l) => l.event === 'accept') ?? [];

  it('reaches the workload directly while no inbound entry exists', async () => {
    proxy = await startProxy();
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(accepts()).toHaveLength(0);
  });

  it('steers a new connection for the protected port to the proxy with its original destination intact', async () => {
    expect(dp.sync([entry()])).toMatchObject({ added: 1 });
    expect(dp.listeners()).toContainEqual({ family: 2, port: proxyPort });
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    const seen = await proxy!.waitFor((l) => l.event === 'accept');
    expect(seen.orig).toEqual({ address: `${net}.1`, port: workloadPort, family: 'IPv4', source: 'local_address' });
    expect(seen.local).toBe(`${net}.1:${workloadPort}`);
    expect(String(seen.remote)).toMatch(new RegExp(`^${net.replace(/\./g, '\\.')}\\.2:\\d+$`));
    const status = dp.status();
    expect(status.stats.in_assigned).toBeGreaterThanOrEqual(1n);
    // The proxy's own connection to the workload came back through the lookup and was let through.
    expect(status.stats.in_proxy_leg).toBeGreaterThanOrEqual(1n);
    expect(status.attachments.some((a) => a.kind === 'netns' && a.hook === 'sk_lookup')).toBe(true);
    expect(status.rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${workloadPort} → :${proxyPort}`]);
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
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(accepts()).toHaveLength(1);
  });

  it('never steers to a listener opened outside the proxy cgroup', async () => {
    await stopProxy();
    const impostor = box.peer(['proxy', '--listen', `${net}.1:${proxyPort}`]); // same port, the test's own cgroup
    try {
      await impostor.waitFor((l) => l.event === 'listening');
      expect(dp.listeners()).not.toContainEqual({ family: 2, port: proxyPort });
      expect(await remoteClient()).toMatch(/ECONNREFUSED/);
      expect(impostor.lines.filter((l) => l.event === 'accept')).toHaveLength(0);
    } finally {
      impostor.child.kill('SIGKILL');
      await impostor.exited;
    }
  });

  it('delivers to the workload while no proxy listens when the rule fails open, and counts it', async () => {
    expect(dp.sync([entry({ failOpen: true })])).toMatchObject({ changed: 1 });
    const before = dp.status().stats.in_fail_open;
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(dp.status().stats.in_fail_open).toBeGreaterThan(before);
    expect(dp.status().rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${workloadPort} → :${proxyPort} (fail-open)`]);
  });

  it('passes traffic through again once the entry is removed', async () => {
    proxy = await startProxy();
    expect(dp.sync([])).toMatchObject({ removed: 1 });
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(accepts()).toHaveLength(0);
  });
});
