/**
 * `sluice node-agent` as a process, on the real kernel, against sluice's real xDS server: a fake
 * kubelet cgroup tree (systemd layout) with Pods in network namespaces of their own, stand-in
 * proxies (the node proxy in the agent Pod's container, a sidecar in its Pod), and client
 * processes placed in the Pods' containers. The evidence is the proxies' own accept lines (with
 * the original destination they read), the services' replies, the kernel's counters and maps,
 * and the xDS server's ACK/NACK records.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { readStatus, unloadDataplane } from '../../bpf/index.js';
import { placed, Sandbox, type Peer } from '../../bench/redirect/sandbox.js';
import { encodeMessage, MESSAGES, type sluice } from '../../envoy-api/index.js';
import { parseUnresolvedReport } from '../../policy-compiler/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type XdsEvent } from '../../xds-server/index.js';
import { cliMain, describeKernel, testPinRoot, testPort } from '../bpf/kernel.js';

type NodeRedirects = sluice.redirect.v1alpha1.NodeRedirects;
type Redirect = sluice.redirect.v1alpha1.Redirect;

const uid = (n: number): string => `0000000${n}-aaaa-bbbb-cccc-00000000000${n}`;
const UID = { agent: uid(1), a: uid(2), s: uid(3), c: uid(4), d: uid(5) };
const cgroupIdOf = (path: string): bigint => statSync(path, { bigint: true }).ino;

async function eventually<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Agent {
  readonly child: ChildProcess;
  readonly admin: Promise<string>;
  readonly exited: Promise<number | null>;
  stderr(): string;
}

describeKernel('sluice node-agent (process) programs its node from xDS', () => {
  const box = new Sandbox();
  const pinRoot = testPinRoot('agent');
  const cache = new SnapshotCache();
  let server: XdsServer | undefined;
  let xdsPort = 0;
  const events: XdsEvent[] = [];
  const svcPort = testPort();
  const nodeProxyPort = testPort();
  const sidecarPort = testPort();
  let netA = '';
  let netS = '';
  let root = '';
  const cg: Record<string, string> = {};
  const ns: Record<string, string> = {};
  let nodeProxy: Peer;
  let sidecar: Peer;
  let agent: Agent | undefined;

  const podDir = (u: string, parent: string) => box.cgroup(`kubepods-besteffort-pod${u.replace(/-/g, '_')}.slice`, parent);

  const resources = (redirects: Redirect[], extra: Partial<NodeRedirects> = {}): NodeRedirects => ({
    host: 'node-a',
    redirects,
    pod_proxies: [{ pod_uid: UID.s, container_ids: ['sidecar1'] }],
    ...extra,
  });
  const publish = (json: NodeRedirects): void => {
    const r = createSnapshot([{ typeUrl: TYPE_URL.REDIRECTS, name: 'node-a', body: encodeMessage(MESSAGES.nodeRedirects, json) }]);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    cache.set('node-a.agent', r.snapshot);
  };
  const baseRedirects = (): Redirect[] => [
    // A node-mode Pod in its own netns: to the node proxy at the node's address, bound to the Pod's own.
    { proxy: 'node-a', port: svcPort, proxy_port: nodeProxyPort, workloads: ['shop/a'], pod_uid: UID.a, bind_v4: `${netA}.2`, proxy_address: 'NODE' },
    // A sidecar Pod: to its own loopback.
    { proxy: 's.shop', port: svcPort, proxy_port: sidecarPort, workloads: ['shop/s'], pod_uid: UID.s, bind_v4: `${netS}.2` },
    // A Pod created after the policy (its cgroup appears later), in the node's namespace.
    { proxy: 'node-a', port: svcPort, proxy_port: nodeProxyPort, workloads: ['shop/c'], pod_uid: UID.c },
    // As if a policy selected the agent's own Pod: its containers are proxies, never redirected.
    { proxy: 'node-a', port: svcPort, proxy_port: nodeProxyPort, workloads: ['sluice-system/agent'], pod_uid: UID.agent },
  ];

  const startAgent = (port: number): Agent => {
    const main = cliMain();
    if (!main) throw new Error('dist/cli/main.js is missing: run make build');
    const argv = placed({ cgroup: cg['agentMain'] }, [process.execPath, main, 'node-agent', '--node', 'node-a', '--xds-address', `127.0.0.1:${port}`,
      '--cgroup-root', root, '--pin-root', pinRoot, '--node-address', `${netA}.1`, '--poll', '1s', '--admin', '127.0.0.1:0', '--log-level', 'debug']);
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const admin = new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        try {
          resolve(String((JSON.parse(line) as { admin: string }).admin));
        } catch {
          /* not the start line */
        }
      });
      child.on('exit', (code) => reject(new Error(`node-agent exited ${code}: ${err}`)));
    });
    admin.catch(() => undefined);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, admin, exited, stderr: () => err };
  };
  const stopAgent = async (): Promise<void> => {
    if (!agent) return;
    if (agent.child.exitCode === null && agent.child.pid !== undefined) process.kill(agent.child.pid, 'SIGTERM');
    await agent.exited;
    agent = undefined;
  };
  const get = async (path: string): Promise<{ status: number; text: string }> => {
    const admin = await (agent?.admin ?? Promise.reject(new Error('no agent')));
    const res = await fetch(`http://${admin}${path}`, { headers: { connection: 'close' } });
    return { status: res.status, text: await res.text() };
  };
  const metric = async (name: string): Promise<number | undefined> => {
    const line = (await get('/metrics')).text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line === undefined ? undefined : Number(line.split(' ').pop());
  };
  const client = async (target: string, where: { cgroup?: string; netns?: string }): Promise<string> => {
    const c = box.peer(['client', '--connect', target, '--timeout', '5000'], where);
    const reply = await c.waitFor((l) => l.event === 'reply' || l.event === 'error');
    await c.exited;
    return String(reply.line ?? reply.message);
  };
  const accepts = (p: Peer) => p.lines.filter((l) => l.event === 'accept');
  const rules = () => readStatus(pinRoot).rules.map((r) => r.text).sort();

  beforeAll(async () => {
    netA = `10.231.${box.subnet('10.231')}`;
    netS = `10.231.${box.subnet('10.231')}`;
    ns['a'] = box.netns('poda');
    ns['s'] = box.netns('pods');
    box.veth(undefined, ns['a'], `${netA}.1/24`, `${netA}.2/24`);
    box.veth(undefined, ns['s'], `${netS}.1/24`, `${netS}.2/24`);
    // The kubelet's systemd layout.
    root = box.cgroup('root');
    const kubepods = box.cgroup('kubepods.slice', root);
    const besteffort = box.cgroup('kubepods-besteffort.slice', kubepods);
    const agentPod = podDir(UID.agent, besteffort);
    cg['agentMain'] = box.cgroup('cri-containerd-agent0.scope', agentPod);
    cg['agentEnvoy'] = box.cgroup('cri-containerd-envoy0.scope', agentPod);
    // A container of the agent's Pod with no process (the Kafka enforcer's, say): it restarts below.
    cg['agentKafka'] = box.cgroup('cri-containerd-kafka0.scope', agentPod);
    cg['agentPod'] = agentPod;
    cg['a'] = box.cgroup('cri-containerd-app1.scope', podDir(UID.a, besteffort));
    const podS = podDir(UID.s, besteffort);
    cg['s'] = box.cgroup('cri-containerd-app2.scope', podS);
    cg['sidecar'] = box.cgroup('cri-containerd-sidecar1.scope', podS);
    cg['podS'] = podS;
    cg['besteffort'] = besteffort;
    box.onCleanup(() => { if (existsSync(pinRoot)) unloadDataplane({ pinRoot }); });
    box.onCleanup(stopAgent);
    const service = box.peer(['echo', '--listen', `0.0.0.0:${svcPort}`, '--name', 'service']);
    nodeProxy = box.peer(['proxy', '--listen', `0.0.0.0:${nodeProxyPort}`], { cgroup: cg['agentEnvoy'] });
    sidecar = box.peer(['proxy', '--listen', `127.0.0.1:${sidecarPort}`], { cgroup: cg['sidecar'], netns: ns['s'] });
    for (const p of [service, nodeProxy, sidecar]) await p.waitFor((l) => l.event === 'listening');
    server = new XdsServer({ cache });
    server.on((e) => events.push(e));
    xdsPort = await server.listen('127.0.0.1:0');
    publish(resources(baseRedirects()));
  }, 60000);

  afterAll(async () => {
    await stopAgent();
    await server?.close();
    await box.cleanup();
  }, 60000);

  const acks = () => events.filter((e) => e.kind === 'ack' && e.type === 'REDIRECTS' && e.nodeId === 'node-a.agent');

  it('attaches, ACKs its node\'s redirects (the server records it), and a node-mode Pod in its own netns reaches the node proxy at the node address', async () => {
    const started = Date.now();
    agent = startAgent(xdsPort);
    await agent.admin;
    const first = await eventually('the agent ACK on the server', () => acks()[0]);
    console.log(`node-agent: process start → attached, subscribed, first NodeRedirects programmed and ACKed in ${Math.round(first.at - started)} ms`);
    expect(server?.status().find((n) => n.node.id === 'node-a.agent')).toBeDefined();
    expect((await get('/readyz')).status).toBe(200);

    // Pod A: its own netns, where 127.0.0.1 is its own loopback; the node proxy is at the node address.
    expect(await client(`${netA}.1:${svcPort}`, { cgroup: cg['a'], netns: ns['a'] })).toBe(`service ${netA}.1:${svcPort}`);
    const seen = accepts(nodeProxy);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.orig).toMatchObject({ address: `${netA}.1`, port: svcPort, source: 'so_original_dst' });
    expect(seen[0]?.remote).toMatch(new RegExp(`^${netA.replace(/\./g, '\\.')}\\.2:`)); // bound to the Pod's own address
    expect(seen[0]?.local).toBe(`${netA}.1:${nodeProxyPort}`);
    // The same netns outside the Pod's cgroup: not redirected.
    expect(await client(`${netA}.1:${svcPort}`, { netns: ns['a'] })).toBe(`service ${netA}.1:${svcPort}`);
    expect(accepts(nodeProxy)).toHaveLength(1);
  });

  it('steers a sidecar Pod to its own loopback, and the sidecar container (named by the controller) is a proxy: never redirected', async () => {
    const before = readStatus(pinRoot).stats.out_skipped_proxy;
    expect(await client(`${netS}.1:${svcPort}`, { cgroup: cg['s'], netns: ns['s'] })).toBe(`service ${netS}.1:${svcPort}`);
    const seen = accepts(sidecar);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.orig).toMatchObject({ address: `${netS}.1`, port: svcPort });
    expect(seen[0]?.local).toBe(`127.0.0.1:${sidecarPort}`);
    // The sidecar's upstream matched the Pod's rule and was recognised as the proxy's.
    expect(sidecar.lines.some((l) => l.event === 'loop')).toBe(false);
    expect(readStatus(pinRoot).stats.out_skipped_proxy).toBeGreaterThan(before);
  });

  it("never redirects its own Pod's containers, found from /proc/self/cgroup", async () => {
    const status = JSON.parse((await get('/status')).text) as { ownPod: string; proxyCgroups: string[] };
    expect(status.ownPod).toContain(`pod${UID.agent.replace(/-/g, '_')}.slice`);
    expect(status.proxyCgroups.some((p) => p.endsWith('cri-containerd-envoy0.scope'))).toBe(true);
    const before = accepts(nodeProxy).length;
    const skipped = readStatus(pinRoot).stats.out_skipped_proxy;
    expect(await client(`127.0.0.1:${svcPort}`, { cgroup: cg['agentEnvoy'] })).toBe(`service 127.0.0.1:${svcPort}`);
    expect(accepts(nodeProxy)).toHaveLength(before);
    expect(readStatus(pinRoot).stats.out_skipped_proxy).toBeGreaterThan(skipped);
  });

  /** What the agent reported to the server about the Pods it cannot steer (its node's metadata). */
  const report = () => parseUnresolvedReport(server?.nodeStatus('node-a.agent')?.node.metadata);
  const responses = () => events.filter((e) => e.kind === 'response' && e.type === 'REDIRECTS' && e.nodeId === 'node-a.agent').length;

  it('counts a Pod whose cgroup does not exist yet, reports it to the server, and steers it (and says so) once it appears', async () => {
    expect(await metric('sluice_node_agent_unresolved_pods')).toBe(1);
    expect(JSON.parse((await get('/status')).text).unresolvedPods).toEqual([UID.c]);
    // The server holds the agent's report, with the ACK: which Pod, and why.
    expect(report()).toEqual({ total: 1, pods: [{ uid: UID.c, reason: 'cgroup-not-found', message: expect.stringContaining('in either kubelet layout') }] });
    const sent = responses();
    const podC = box.cgroup('cri-containerd-app4.scope', podDir(UID.c, cg['besteffort'] ?? ''));
    await eventually('pod C resolved', async () => ((await metric('sluice_node_agent_unresolved_pods')) === 0 ? true : undefined));
    // The agent restated its node on its own (no response to answer): the server's record says no Pod is unresolved.
    await eventually('the report cleared on the server', () => (report()?.total === 0 ? true : undefined));
    expect(responses()).toBe(sent);
    expect(events.some((e) => e.kind === 'metadata' && e.nodeId === 'node-a.agent')).toBe(true);
    const before = accepts(nodeProxy).length;
    expect(await client(`127.0.0.1:${svcPort}`, { cgroup: podC })).toBe(`service 127.0.0.1:${svcPort}`);
    expect(accepts(nodeProxy)).toHaveLength(before + 1);
  });

  it('reports a Pod whose cgroup is in a layout it does not know (unknown-layout, where), and does not steer it', async () => {
    const odd = box.cgroup('odd.slice', cg['besteffort']);
    const podD = box.cgroup(`pod${UID.d}`, odd);
    box.cgroup('cri-containerd-app5.scope', podD);
    publish(resources([...baseRedirects(), { proxy: 'node-a', port: svcPort, proxy_port: nodeProxyPort, workloads: ['shop/d'], pod_uid: UID.d }]));
    const got = await eventually('the unknown layout reported', () => (report()?.pods.some((p) => p.uid === UID.d) ? report() : undefined));
    expect(got).toEqual({ total: 1, pods: [{ uid: UID.d, reason: 'unknown-layout', message: expect.stringContaining(podD) }] });
    expect(rules().some((r) => r.includes(`pod ${UID.d}`) || r.includes(podD))).toBe(false);
    publish(resources(baseRedirects()));
    await eventually('the report cleared', () => (report()?.total === 0 ? true : undefined));
  });

  it('reports a sidecar container the controller names but whose cgroup is not in its Pod, and registers it once it appears', async () => {
    publish(resources(baseRedirects(), { pod_proxies: [{ pod_uid: UID.s, container_ids: ['sidecar1', 'sidecar9'] }] }));
    const got = await eventually('the missing sidecar reported', () => (report()?.pods.some((p) => p.reason === 'sidecar-not-found') ? report() : undefined));
    expect(got).toEqual({ total: 1, pods: [{ uid: UID.s, reason: 'sidecar-not-found', message: expect.stringContaining('its proxy container sidecar9 has no cgroup in') }] });
    const appeared = box.cgroup('cri-containerd-sidecar9.scope', cg['podS']);
    await eventually('the sidecar registered and the report cleared', () => (report()?.total === 0 && readStatus(pinRoot).proxyCgroups.includes(cgroupIdOf(appeared)) ? true : undefined));
    publish(resources(baseRedirects()));
    await eventually('the sidecar no longer named leaves the proxy map', () => (readStatus(pinRoot).proxyCgroups.includes(cgroupIdOf(appeared)) ? undefined : true));
  });

  it("removes its own Pod's restarted container from the proxy map, and its link pins", async () => {
    const links = () => readdirSync(join(pinRoot, 'links'));
    const old = cgroupIdOf(cg['agentKafka'] ?? '');
    expect(readStatus(pinRoot).proxyCgroups).toContain(old);
    expect(links()).toContain(`cg${old}_proxy_sockops`);
    rmdirSync(cg['agentKafka'] ?? '');
    cg['agentKafka'] = box.cgroup('cri-containerd-kafka1.scope', cg['agentPod']);
    const fresh = cgroupIdOf(cg['agentKafka']);
    await eventually('the new container registered, the old one gone', () => {
      const ids = readStatus(pinRoot).proxyCgroups;
      return ids.includes(fresh) && !ids.includes(old) ? true : undefined;
    });
    expect(links()).not.toContain(`cg${old}_proxy_sockops`);
    expect(links()).toContain(`cg${fresh}_proxy_sockops`);
  });

  it('NACKs a bad update with the field path and changes no map', async () => {
    const good = rules();
    const acked = acks().length;
    const bad = baseRedirects();
    bad[0] = { ...bad[0], port: svcPort + 1 }; // would change a rule...
    bad[1] = { ...bad[1], proxy_port: 70000 }; // ...but this entry is invalid: nothing is applied
    publish(resources(bad));
    const nack = await eventually('the NACK on the server', () => events.find((e) => e.kind === 'nack' && e.type === 'REDIRECTS'));
    if (nack.kind !== 'nack') throw new Error('unreachable');
    expect(nack.nack.message).toContain('redirects[1].proxyPort');
    expect(nack.nack.message).toContain('no map changed');
    expect(rules()).toEqual(good);
    expect(acks()).toHaveLength(acked);
    const ready = await get('/readyz');
    expect(ready.text).toContain('was rejected');
    // A shape problem is rejected before the dataplane sees it.
    publish(resources(baseRedirects(), { host: 'node-b' }));
    await eventually('the host NACK', () => events.find((e) => e.kind === 'nack' && e.type === 'REDIRECTS' && e.nack.message.includes('resources[0].host')));
    expect(rules()).toEqual(good);
  });

  it('restarted with the controller down, keeps the maps, and Pods stay steered', async () => {
    const published = Date.now();
    publish(resources(baseRedirects()));
    await eventually('the agent back on the good version', async () => ((await get('/readyz')).text.includes('was rejected') ? undefined : true));
    console.log(`node-agent: an update published → applied (seen on /readyz) in ${Date.now() - published} ms`);
    const good = rules();
    expect(good.length).toBeGreaterThan(0);
    await stopAgent();
    await server?.close();
    server = undefined;
    // Its Pod's container went away while it was down: the kernel detaches the link (it names no cgroup).
    const gone = cgroupIdOf(cg['agentKafka'] ?? '');
    rmdirSync(cg['agentKafka'] ?? '');
    await eventually('the link detached by the kernel', () => {
      const a = readStatus(pinRoot).attachments.find((x) => x.kind === 'cgroup' && x.pin.endsWith(`cg${gone}_proxy_sockops`));
      return a && a.kind === 'cgroup' && a.cgroupId !== gone ? true : undefined;
    });
    agent = startAgent(xdsPort); // nothing listens there now
    await agent.admin;
    // An earlier run's proxy whose cgroup is gone: out of the map, its pins removed, at start.
    expect(readStatus(pinRoot).proxyCgroups).not.toContain(gone);
    expect(readdirSync(join(pinRoot, 'links')).some((n) => n.startsWith(`cg${gone}_`))).toBe(false);
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.text).toContain('the pinned maps keep what they hold');
    await new Promise((r) => setTimeout(r, 1000));
    expect(rules()).toEqual(good);
    const before = accepts(nodeProxy).length;
    expect(await client(`${netA}.1:${svcPort}`, { cgroup: cg['a'], netns: ns['a'] })).toBe(`service ${netA}.1:${svcPort}`);
    expect(accepts(nodeProxy)).toHaveLength(before + 1);
  });
});
