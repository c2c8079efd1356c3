/**
 * A node-mode Pod's inbound steering, on the real kernel, about the kernel programs alone: the
 * node proxy (a stand-in in a proxy cgroup, so sluice_proxy_sockops registers its listener as
 * owner 0) listens inside the Pod's network namespace, as Envoy does with
 * network_namespace_filepath; the Pod's rule carries SLUICE_RULE_F_POD_NETNS, so
 * sluice_pod_sk_lookup attached in the Pod's namespace hands the connection to that listener.
 * With the node proxy down the connection is refused and the app sees nothing. (A listener of the
 * node proxy in another namespace, a stale netns link, is not covered yet: measured, the client
 * timed out instead of being refused; see the i13f report.)
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { attachPodNetns, openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
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
  let clientNs = '';
  let proxyCgroup = '';
  let dp: RedirectDataplane;
  let app: Peer;
  let proxy: Peer | undefined;
  const entry: () => InboundRedirect = () => ({ node: 'node-a', direction: 'inbound', address: `${net}.1`, port: appPort, proxyPort: podPort, failOpen: false, podUid: 'u', nodeProxyInPod: true });

  beforeAll(async () => {
    net = `10.232.${box.subnet('10.232')}`;
    podNs = box.netns('pod');
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
  const fromClient = async (): Promise<string> => {
    const c = box.peer(['client', '--connect', `${net}.1:${appPort}`, '--timeout', '5000'], { netns: clientNs });
    const reply = await c.waitFor((l) => l.event === 'reply' || l.event === 'error', 10_000);
    await c.exited;
    return String(reply.line ?? reply.message);
  };

  it("hands a new connection to the node proxy's listener in the Pod's namespace, with its original destination", async () => {
    proxy = await startProxy(podNs);
    expect(dp.sync([entry()])).toMatchObject({ added: 1, unresolved: [] });
    expect(dp.listeners()).toContainEqual({ family: 2, port: podPort }); // owner 0: the node's proxy
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
});
