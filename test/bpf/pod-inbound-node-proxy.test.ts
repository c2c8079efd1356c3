/**
 * A node-mode Pod's inbound steering, on the real kernel, about the kernel programs alone: the
 * node proxy (a stand-in in a proxy cgroup, so sluice_proxy_sockops registers its listener as
 * owner 0) listens inside the Pod's network namespace, as Envoy does with
 * network_namespace_filepath; the Pod's rule carries SLUICE_RULE_F_POD_NETNS and the Pod
 * namespace's inode, so sluice_pod_sk_lookup attached in the Pod's namespace hands the connection
 * to that listener. With the node proxy down the connection is refused and the app sees nothing.
 * The node proxy's listener on the Pod's port opened in another namespace (Envoy following a stale
 * netns link, the PID reused) is not the Pod's: the connection is refused at once and counted
 * (in_wrong_netns), where before the check sk_assign took the foreign socket and the client timed
 * out. A node-mode entry without the inode is rejected, no map changed.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { statSync } from 'node:fs';
import { BpfError, attachPodNetns, openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import type { InboundRedirect } from '../../policy-compiler/index.js';
import { describeKernel, testPinRoot, testPort } from './kernel.js';

describeKernel("bpf inbound redirect of a node-mode Pod to the node proxy's listener in the Pod's namespace", () => {
  const box = new Sandbox();
  const appPort = testPort();
  const podPort = appPort + 1; // the Pod's own port of the node proxy (allocatePodPorts)
  const pinRoot = testPinRoot('podnode');
  let net = '';
  let podNs = '';
  let podNetnsIno = 0;
  let clientNs = '';
  let proxyCgroup = '';
  let dp: RedirectDataplane;
  let app: Peer;
  let proxy: Peer | undefined;
  const entry: () => InboundRedirect = () => ({ node: 'node-a', direction: 'inbound', address: `${net}.1`, port: appPort, proxyPort: podPort, failOpen: false, podUid: 'u', nodeProxyInPod: true, podNetnsIno });

  beforeAll(async () => {
    net = `10.232.${box.subnet('10.232')}`;
    podNs = box.netns('pod');
    podNetnsIno = Number(statSync(`/run/netns/${podNs}`, { bigint: true }).ino);
    clientNs = box.netns('client');
    box.veth(podNs, clientNs, `${net}.1/24`, `${net}.2/24`);
    const kubepods = box.cgroup('kubepods');
    const appCgroup = box.cgroup('app', box.cgroup('pod1', kubepods));
    proxyCgroup = box.cgroup('nodeproxy');
    dp = openRedirectDataplane({ cgroup: kubepods, pinRoot, proxyCgroups: [proxyCgroup] });
    box.onCleanup(() => {
      dp.close();
      unloadDataplane({ pinRoot });
    });
    app = box.peer(['echo', '--listen', `${net}.1:${appPort}`, '--name', 'app'], { cgroup: appCgroup, netns: podNs });
    await app.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  const startProxy = async (netns: string): Promise<Peer> => {
    const p = box.peer(['echo', '--listen', `0.0.0.0:${podPort}`, '--name', 'nodeproxy'], { cgroup: proxyCgroup, netns });
    await p.waitFor((l) => l.event === 'listening');
    return p;
  };
  const stopProxy = async (): Promise<void> => {
    proxy?.child.kill('SIGKILL');
    await proxy?.exited;
    proxy = undefined;
  };
  const fromClient = async (): Promise<string> => (await timedFromClient()).answer;
  /** The client's answer (a reply, or its error) and how long it took to get it. */
  const timedFromClient = async (): Promise<{ answer: string; ms: number }> => {
    const started = performance.now();
    const c = box.peer(['client', '--connect', `${net}.1:${appPort}`, '--timeout', '5000'], { netns: clientNs });
    const reply = await c.waitFor((l) => l.event === 'reply' || l.event === 'error', 10_000);
    const ms = performance.now() - started;
    await c.exited;
    return { answer: String(reply.line ?? reply.message), ms };
  };

  it("hands a new connection to the node proxy's listener in the Pod's namespace, with its original destination", async () => {
    proxy = await startProxy(podNs);
    expect(dp.sync([entry()])).toMatchObject({ added: 1, unresolved: [] });
    expect(dp.listeners()).toContainEqual({ family: 2, port: podPort }); // owner 0: the node's proxy
    expect(dp.status().rules).toContainEqual(expect.objectContaining({ podNetnsIno, text: `inbound ${net}.1:${appPort} → :${podPort} in netns ${podNetnsIno}` }));
    expect(await fromClient()).toBe(`app ${net}.1:${appPort}`); // not attached in the Pod's namespace yet
    attachPodNetns(pinRoot, `/proc/${app.child.pid}/ns/net`);
    const before = dp.stats().in_assigned;
    expect(await fromClient()).toBe(`nodeproxy ${net}.1:${appPort}`);
    expect(dp.stats().in_assigned).toBe(before + 1n);
  });

  it('refuses a new connection while the node proxy is down, and never hands it to the app', async () => {
    await stopProxy();
    const seen = app.lines.length;
    const refused = dp.stats().in_refused;
    expect(await fromClient()).toMatch(/ECONNREFUSED/);
    expect(dp.stats().in_refused).toBe(refused + 1n);
    expect(app.lines.length).toBe(seen);
  });

  it('without the flag the Pod namespace program leaves an owner-0 rule alone (the node\'s rules are never acted on there)', async () => {
    proxy = await startProxy(podNs);
    expect(dp.sync([{ ...entry(), nodeProxyInPod: undefined, podUid: undefined }])).toMatchObject({ unresolved: [] });
    expect(await fromClient()).toBe(`app ${net}.1:${appPort}`);
    expect(dp.sync([entry()])).toMatchObject({ unresolved: [] });
    expect(await fromClient()).toBe(`nodeproxy ${net}.1:${appPort}`);
    await stopProxy();
  });

  it("refuses promptly, and counts, a connection whose node proxy listener on the Pod's port is in another namespace (a stale netns link); fail-open delivers it", async () => {
    const elsewhere = box.netns('stale'); // the namespace a reused PID's /proc/PID/ns/net now names
    expect(dp.sync([entry()])).toMatchObject({ unresolved: [] }); // the rule names the Pod's namespace
    attachPodNetns(pinRoot, `/proc/${app.child.pid}/ns/net`); // idempotent: steered in the Pod's namespace
    proxy = await startProxy(elsewhere);
    expect(dp.listeners()).toContainEqual({ family: 2, port: podPort }); // registered as owner 0, as a right one would be
    const before = dp.stats();
    const seen = app.lines.length;
    const { answer, ms } = await timedFromClient();
    // Refused (RST), not "timeout" (the client's own limit, 5 s): neither the app nor the foreign listener took it.
    expect(answer).toMatch(/ECONNREFUSED/);
    expect(ms).toBeLessThan(2000);
    const after = dp.stats();
    expect(after.in_wrong_netns).toBe(before.in_wrong_netns + 1n);
    expect(after.in_refused).toBe(before.in_refused + 1n);
    expect(after.in_assigned).toBe(before.in_assigned);
    expect(app.lines.length).toBe(seen);
    // A rule that fails open treats the foreign listener as no proxy too: the app gets it, counted.
    expect(dp.sync([{ ...entry(), failOpen: true }])).toMatchObject({ changed: 1 });
    expect(await fromClient()).toBe(`app ${net}.1:${appPort}`);
    expect(dp.stats()).toMatchObject({ in_wrong_netns: after.in_wrong_netns + 1n, in_fail_open: after.in_fail_open + 1n, in_assigned: after.in_assigned });
    await stopProxy();
  });

  it('rejects a node-mode entry without a valid netns inode with its field path, and changes no map', async () => {
    proxy = await startProxy(podNs);
    expect(dp.sync([entry()])).toMatchObject({ unresolved: [] });
    attachPodNetns(pinRoot, `/proc/${app.child.pid}/ns/net`);
    for (const podNetnsIno of [undefined, 0, -1, 1.5, 2 ** 32]) {
      const attempt = (): unknown => dp.sync([{ ...entry(), podNetnsIno }]);
      expect(attempt).toThrow(BpfError);
      expect(attempt).toThrow(/entries\[0\]\.podNetnsIno: a node-mode Pod's entry \(nodeProxyInPod\) needs its network namespace's inode/);
    }
    expect(dp.sync([entry()])).toMatchObject({ added: 0, changed: 0, removed: 0 });
    expect(await fromClient()).toBe(`nodeproxy ${net}.1:${appPort}`); // the rule in the kernel is the valid one still
    await stopProxy();
  });
});
