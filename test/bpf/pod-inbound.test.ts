/**
 * Inbound steering in a Pod's own network namespace, on the real kernel, about the kernel
 * programs alone (stand-in sidecar and app; test/k8s/controller/node-agent.test.ts runs the
 * product with a real Envoy): `sluice_pod_sk_lookup` attached in the Pod's netns (by its
 * /proc/PID/ns/net, as the node agent does) hands a connection from another netns to the listener
 * the sidecar opened in the Pod's netns, registered under the sidecar container's cgroup id (only
 * listeners on a sidecar inbound port are registered); a listener of the app's cgroup on the
 * same port is never a target; with the sidecar down the
 * connection is refused, never delivered to the app; the node's own program ignores the Pod's rule,
 * and releasing the link stops the steering.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { statSync } from 'node:fs';
import { attachPodNetns, findCgroup2Mount, openRedirectDataplane, releasePodLinks, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import type { InboundRedirect } from '../../policy-compiler/index.js';
import { describeKernel, testPinRoot, testPort } from './kernel.js';

describeKernel("bpf inbound redirect in a Pod's network namespace (sluice_pod_sk_lookup)", () => {
  const box = new Sandbox();
  const appPort = testPort();
  const sidecarPort = appPort + 1;
  const pinRoot = testPinRoot('podin');
  let net = '';
  let podNs = '';
  let clientNs = '';
  let appCgroup = '';
  let sidecarCgroup = '';
  let dp: RedirectDataplane;
  let app: Peer;
  let sidecar: Peer | undefined;
  const rel = (path: string): string => path.slice((findCgroup2Mount() ?? '').length);
  const entry = (more: Partial<InboundRedirect> = {}): InboundRedirect => ({ node: 'p.shop', direction: 'inbound', address: `${net}.1`, port: appPort, proxyPort: sidecarPort, failOpen: false, podUid: 'u', listenerCgroup: rel(sidecarCgroup), ...more });

  beforeAll(async () => {
    net = `10.231.${box.subnet('10.231')}`;
    podNs = box.netns('pod');
    clientNs = box.netns('client');
    box.veth(podNs, clientNs, `${net}.1/24`, `${net}.2/24`); // the Pod and a client, neither in the node's namespace
    const kubepods = box.cgroup('kubepods');
    const pod = box.cgroup('pod1', kubepods);
    appCgroup = box.cgroup('app', pod);
    sidecarCgroup = box.cgroup('sidecar', pod);
    dp = openRedirectDataplane({ cgroup: kubepods, pinRoot });
    dp.setSidecarPorts([sidecarPort]); // as the node agent does (its --sidecar-inbound-port, and its entries')
    box.onCleanup(() => {
      dp.close();
      unloadDataplane({ pinRoot });
    });
    app = box.peer(['echo', '--listen', `${net}.1:${appPort}`, '--name', 'app'], { cgroup: appCgroup, netns: podNs });
    await app.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  const startSidecar = async (): Promise<Peer> => {
    const p = box.peer(['echo', '--listen', `0.0.0.0:${sidecarPort}`, '--name', 'sidecar'], { cgroup: sidecarCgroup, netns: podNs });
    await p.waitFor((l) => l.event === 'listening');
    return p;
  };
  const stopSidecar = async (): Promise<void> => {
    sidecar?.child.kill('SIGKILL');
    await sidecar?.exited;
    sidecar = undefined;
  };
  const fromClient = async (): Promise<string> => {
    const c = box.peer(['client', '--connect', `${net}.1:${appPort}`, '--timeout', '5000'], { netns: clientNs });
    const reply = await c.waitFor((l) => l.event === 'reply' || l.event === 'error', 10_000);
    await c.exited;
    return String(reply.line ?? reply.message);
  };
  const steered = (): string => `sidecar ${net}.1:${appPort}`;
  const direct = (): string => `app ${net}.1:${appPort}`;
  const sidecarId = (): bigint => statSync(sidecarCgroup, { bigint: true }).ino;

  it("reaches the app directly while only the node's namespace has sk_lookup, even with the Pod's rule in the map", async () => {
    sidecar = await startSidecar();
    expect(dp.sync([entry()])).toMatchObject({ added: 1, unresolved: [] });
    expect(dp.listenerOf(sidecarId(), 2, sidecarPort)).toBe(true); // registered under its own cgroup id, by sluice_sockops
    expect(dp.listeners()).not.toContainEqual({ family: 2, port: sidecarPort }); // not as the node's proxy
    // The app's own listener, on a port that is no sidecar port, is not registered at all: no workload can fill the map.
    expect(dp.status().cgroupListeners.filter((l) => l.startsWith(`IPv4 :${appPort} `))).toEqual([]);
    expect(await fromClient()).toBe(direct());
  });

  it("hands a new connection to the sidecar's listener once attached in the Pod's namespace, with its original destination", async () => {
    const pid = app.child.pid;
    const link = attachPodNetns(pinRoot, `/proc/${pid}/ns/net`);
    expect(link.created).toBe(true);
    expect(attachPodNetns(pinRoot, `/proc/${pid}/ns/net`).created).toBe(false); // idempotent
    const before = dp.stats().in_assigned;
    expect(await fromClient()).toBe(steered());
    expect(dp.stats().in_assigned).toBe(before + 1n);
    const status = dp.status();
    expect(status.attachments.some((a) => a.kind === 'netns' && a.netnsIno === link.netnsIno && a.programName === 'sluice_pod_sk_l')).toBe(true);
    expect(status.rules.map((r) => r.text)).toEqual([`inbound ${net}.1:${appPort} → :${sidecarPort} sidecar cg${sidecarId()}`]);
    expect(status.cgroupListeners).toContain(`IPv4 :${sidecarPort} cg${sidecarId()}`);
    expect(status.listeners).toEqual([]); // no node proxy here
    expect(status.sidecarPorts).toEqual([sidecarPort]);
  });

  it('refuses a new connection while the sidecar is down, even with the app listening on the port, and never hands it to the app', async () => {
    await stopSidecar();
    expect(dp.listenerOf(sidecarId(), 2, sidecarPort)).toBe(false);
    // The app opens a listener on the sidecar's port: registered under the app's cgroup id, which no rule names.
    const impostor = box.peer(['proxy', '--listen', `0.0.0.0:${sidecarPort}`], { cgroup: appCgroup, netns: podNs });
    try {
      await impostor.waitFor((l) => l.event === 'listening');
      expect(dp.status().cgroupListeners).toContain(`IPv4 :${sidecarPort} cg${statSync(appCgroup, { bigint: true }).ino}`); // registered, never named
      const seen = app.lines.length;
      const refused = dp.stats().in_refused;
      expect(await fromClient()).toMatch(/ECONNREFUSED/);
      expect(dp.stats().in_refused).toBe(refused + 1n);
      expect(app.lines.length).toBe(seen);
      expect(impostor.lines.filter((l) => l.event === 'accept')).toHaveLength(0);
    } finally {
      impostor.child.kill('SIGKILL');
      await impostor.exited;
    }
  });

  it('steers again as soon as the sidecar listens again', async () => {
    sidecar = await startSidecar();
    expect(await fromClient()).toBe(steered());
  });

  it("leaves the Pod's rule unresolved (not in the map) while its sidecar's cgroup is not known, and stops steering once the link is released", async () => {
    expect(dp.sync([entry({ listenerCgroup: undefined })])).toMatchObject({ removed: 1, unresolved: [{ cgroup: 'pod u' }] });
    expect(await fromClient()).toBe(direct());
    expect(dp.sync([entry()])).toMatchObject({ added: 1 });
    expect(await fromClient()).toBe(steered());
    expect(releasePodLinks(pinRoot, new Set())).toHaveLength(1);
    expect(await fromClient()).toBe(direct());
  });
});
