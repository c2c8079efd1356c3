/**
 * Inbound steering on the real kernel: a connection from another netns over a veth pair to a
 * protected workload port is handed by the tc ingress program (bpf_sk_assign) to the proxy's
 * inbound listener, whose accepted socket keeps the original destination (and the client's
 * source) as its addresses.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import { describeKernel, testPinRoot, testPort, testSubnet } from './kernel.js';

describeKernel('bpf inbound redirect (tc ingress + bpf_sk_assign)', () => {
  const box = new Sandbox();
  const net = testSubnet(50);
  const workloadPort = testPort();
  const proxyPort = workloadPort + 1;
  const pinRoot = testPinRoot('in');
  let remote = '';
  let dp: RedirectDataplane;
  let proxy: Peer;

  beforeAll(async () => {
    remote = box.netns('remote');
    const link = box.veth(undefined, remote, `${net}.1/24`, `${net}.2/24`);
    const workloadCgroup = box.cgroup('wl');
    dp = openRedirectDataplane({ cgroup: workloadCgroup, pinRoot, inboundInterfaces: [link.local] });
    box.onCleanup(() => {
      dp.close();
      unloadDataplane({ pinRoot });
    });
    const workload = box.peer(['echo', '--listen', `${net}.1:${workloadPort}`, '--name', 'workload']);
    proxy = box.peer(['proxy', '--listen', `${net}.1:${proxyPort}`]);
    for (const p of [workload, proxy]) await p.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  const remoteClient = async (): Promise<string> => {
    const client = box.peer(['client', '--connect', `${net}.1:${workloadPort}`], { netns: remote });
    const reply = await client.waitFor((l) => l.event === 'reply' || l.event === 'error');
    await client.exited;
    return String(reply.line ?? reply.message);
  };
  const accepts = (): Array<Record<string, unknown>> => proxy.lines.filter((l) => l.event === 'accept');

  it('reaches the workload directly while no inbound entry exists', async () => {
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(accepts()).toHaveLength(0);
  });

  it('steers a new connection for the protected port to the proxy with its original destination intact', async () => {
    expect(dp.sync([{ node: 'n1', direction: 'inbound', address: `${net}.1`, port: workloadPort, proxyPort }])).toMatchObject({ added: 1 });
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    await proxy.waitFor(() => accepts().length >= 1);
    const seen = accepts();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.orig).toEqual({ address: `${net}.1`, port: workloadPort, family: 'IPv4', source: 'local_address' });
    expect(seen[0]?.local).toBe(`${net}.1:${workloadPort}`);
    expect(String(seen[0]?.remote)).toMatch(new RegExp(`^${net.replace(/\./g, '\\.')}\\.2:\\d+$`));
    const status = dp.status();
    expect(status.stats.in_assigned).toBeGreaterThanOrEqual(1n);
    expect(status.attachments.some((a) => a.kind === 'tc' && a.programId !== undefined)).toBe(true);
    expect(status.rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${workloadPort} → :${proxyPort}`]);
  });

  it('passes traffic through again once the entry is removed', async () => {
    expect(dp.sync([])).toMatchObject({ removed: 1 });
    const before = accepts().length;
    expect(await remoteClient()).toBe(`workload ${net}.1:${workloadPort}`);
    expect(accepts()).toHaveLength(before);
  });
});
