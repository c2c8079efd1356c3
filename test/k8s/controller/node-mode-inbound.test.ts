/**
 * A node-mode Pod's inbound connections (no sidecar: its node's Envoy fronts it) on a real
 * kube-apiserver, real Envoy 1.40 and a real node agent on the real kernel: node-a's Envoy runs in
 * a container of the agent's own Pod (so the agent registers its listeners, owner 0, as the chart
 * runs it), in the node's network namespace; the Pod has a namespace of its own on a veth.
 * Bypassed while the Pod has no process (no namespace to link); Enforced once the agent linked its
 * namespace (/run/sluice/netns/<uid>.<inode>), attached sk_lookup there and reported the link, and
 * node-a's Envoy opened the Pod's listener inside it on the Pod's own port. Envoy decides GET and
 * POST (its RBAC counters, the app's own log); with Envoy down the connection is refused and status
 * is Degraded (node-proxy-not-listening); Envoy back, it reopens the listener through the link; the
 * sandbox recreated (a new namespace and address, the same UID): a new link, the listener reopened
 * in the new namespace, GET and POST decided there; the Pod deleted: its link and attachment go.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Envoy } from '../../../bench/envoy/process.js';
import { placed, Sandbox } from '../../../bench/redirect/sandbox.js';
import { readStatus } from '../../../bpf/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { NodeAgent } from '../../../node-agent/index.js';
import { netnsLinkName, netnsLinkPath } from '../../../policy-compiler/index.js';
import { allocatePodPorts } from '../../../policy-compiler/lower/node-pod-ports.js';
import { Registry, silentLogger } from '../../../telemetry/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { testPinRoot } from '../../bpf/kernel.js';
import { condition, ControllerBed } from './bed.js';
import { APP, call, getOnlyIngress, releaseKernelBed, withoutKernelBed } from './pod-traffic.js';

const SHELF_IN = getOnlyIngress('shelf');

describeKube("a node-mode Pod's inbound connections through its node proxy", () => {
  describeEnvoy("node-a's Envoy in the agent's Pod, a real node agent", () => {
    if (withoutKernelBed()) return;
    const box = new Sandbox();
    const pinRoot = testPinRoot('k8s-nodemode');
    let bed: ControllerBed;
    let controller: Controller;
    let envoy: Envoy | undefined;
    let agent: NodeAgent | undefined;
    let shelfApp: ChildProcess | undefined;
    let besteffort = '';
    let root = '';
    const status = async (name: string) => (await bed.policy('shop', name)).status;

    beforeAll(async () => {
      bed = await ControllerBed.start();
      controller = await bed.controller({ identity: 'replica-1', nodeAgents: true, proxyPorts: { inboundPort: await freePort(), outboundPort: await freePort() } });
      await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
      root = box.cgroup('root');
      besteffort = box.cgroup('kubepods-besteffort.slice', box.cgroup('kubepods.slice', root));
    }, 120_000);

    afterAll(async () => {
      shelfApp?.kill('SIGKILL');
      agent?.stop();
      await envoy?.stop();
      await controller?.close();
      await releaseKernelBed(bed, pinRoot, box);
    }, 60_000);

    it("steers a node-mode Pod's inbound connections to the node proxy's listener inside the Pod's namespace (a real Envoy in the node's): Bypassed while it has no process, Enforced once linked, attached and listening there; GET allowed and POST denied by Envoy; refused with the node proxy down (Degraded), Enforced again once it is back; its sandbox recreated (a new namespace), served there; released once the Pod is gone", async () => {
      // node-a's Envoy in a container of the agent's own Pod, so the agent registers its listeners (owner 0), as the chart runs it.
      const agentUid = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
      const envoyCg = box.cgroup('cri-containerd-nodeenvoy.scope', box.cgroup(`kubepods-besteffort-pod${agentUid.replace(/-/g, '_')}.slice`, besteffort));
      agent = new NodeAgent({
        host: 'node-a', xds: { address: `127.0.0.1:${controller.xdsPort}` }, cgroupRoot: root, pinRoot, podUid: agentUid,
        nodeAddress: { v4: '10.1.0.1' }, pollMs: 200, logger: silentLogger, registry: new Registry(),
      });
      agent.start();
      const admin = await freePort();
      const startEnvoy = () => Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: controller.xdsPort }, admin: { host: '127.0.0.1', port: admin }, where: { cgroup: envoyCg } });
      envoy = await startEnvoy();

      // The Pod: a namespace of its own on a veth from the node's; node mode (no annotation).
      const net = `10.233.${box.subnet('10.233')}`;
      const podNs = box.netns('shelf');
      box.veth(undefined, podNs, `${net}.1/24`, `${net}.2/24`);
      await bed.pod({ name: 'shelf', namespace: 'shop', labels: { app: 'shelf' }, ip: `${net}.2`, node: 'node-a', ports: [8080] });
      const uid = ((await bed.must('GET', '/api/v1/namespaces/shop/pods/shelf'))['metadata'] as { uid: string }).uid;
      const appCg = box.cgroup('cri-containerd-shelf.scope', box.cgroup(`kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice`, besteffort));
      await bed.applyPolicy('shop', 'shelf-in', SHELF_IN);
      const enforced = async () => condition(await status('shelf-in'), 'Enforced');
      const reported = (needle: string) => async () => {
        const c = await enforced();
        return c?.message.includes(needle) ? c : undefined;
      };

      // No process yet: no namespace to link, so nothing steers it, and status says so.
      const none = await eventually(reported('netns-not-found'), 'shelf-in Bypassed (netns-not-found)', 30_000);
      expect(none).toMatchObject({ status: 'False', reason: 'Bypassed' });
      expect(none.message).toContain(`node-a.agent cannot steer inbound connections of Pod shop/shelf (uid ${uid}, netns-not-found)`);

      // The app starts in the Pod's cgroup and namespace: the agent links it, the controller serves node-a a listener there.
      const argv = placed({ cgroup: appCg, netns: podNs }, [process.execPath, '-e', APP, `${net}.2`, '8080']);
      shelfApp = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      const served: Array<Record<string, unknown>> = [];
      createInterface({ input: shelfApp.stdout! }).on('line', (l) => served.push(JSON.parse(l) as Record<string, unknown>));
      await eventually(() => (served.some((l) => l['listening']) ? true : undefined), 'the app listening', 10_000);
      const ok = await eventually(async () => ((await enforced())?.reason === 'Enforced' ? status('shelf-in') : undefined), 'shelf-in Enforced', 45_000);
      expect(ok?.enforced).toMatchObject({ summary: '2/2', pending: [] }); // node-a and node-a.agent

      // The link names the Pod's namespace; Envoy holds the Pod's listener, opened through it on the Pod's own port.
      const podIno = statSync(`/run/netns/${podNs}`, { bigint: true }).ino;
      const link = netnsLinkPath(netnsLinkName(uid, podIno));
      expect(statSync(link, { bigint: true }).ino).toBe(podIno);
      const listeners = JSON.stringify(await envoy.configDump('dynamic_listeners'));
      const port = allocatePodPorts([uid]).ports.get(uid);
      expect(listeners).toContain('"name":"sluice|inbound|pod|shop/shelf"');
      expect(listeners).toContain(`"network_namespace_filepath":"${link}"`);
      expect(listeners).toContain(`"port_value":${port}`);
      // The kernel: sk_lookup attached in the Pod's namespace, its rule to the node proxy's listener there, checked against the namespace's inode.
      const kernelView = readStatus(pinRoot);
      expect(kernelView.attachments.some((a) => a.kind === 'netns' && BigInt(a.netnsIno ?? -1) === podIno && a.programName === 'sluice_pod_sk_l')).toBe(true);
      expect(kernelView.rules.map((r) => r.text)).toContain(`inbound ${net}.2:8080 → :${port} in netns ${podIno}`);

      // A client in the node's namespace dials the Pod: node-a's Envoy decides, by the policy.
      const rbac = async (): Promise<Map<string, number>> => new Map([...(await envoy!.stats('inbound_8080_shop_shelf\\.rbac'))].filter(([k]) => /rbac\.sluice_allow_\.(allowed|denied)$/.test(k)));
      const delta = (a: Map<string, number>, b: Map<string, number>): Record<string, number> => Object.fromEntries([...b].map(([k, v]) => [k.replace(/^.*rbac\./, ''), v - (a.get(k) ?? 0)]).filter(([, d]) => d !== 0));
      const before = served.length;
      const legs = readStatus(pinRoot).stats.in_proxy_leg;
      const rbac0 = await rbac();
      expect(await call('GET', `http://${net}.2:8080/allowed`)).toEqual({ status: 200 });
      expect(await call('POST', `http://${net}.2:8080/denied`)).toEqual({ status: 403 });
      expect(delta(rbac0, await rbac())).toEqual({ 'sluice_allow_.allowed': 1, 'sluice_allow_.denied': 1 });
      // The app saw the GET, from the node's side of the veth (Envoy's leg leaves the node's namespace), and never the POST...
      expect(served.slice(before).map((l) => `${String(l['method'])} ${String(l['url'])}`)).toEqual(['GET /allowed']);
      // ...through the node proxy's marked inbound leg, which the Pod's sk_lookup let through.
      expect(readStatus(pinRoot).stats.in_proxy_leg).toBeGreaterThan(legs);

      // The node proxy down: new connections are refused, never delivered to the app, and status says so.
      await envoy.stop();
      envoy = undefined;
      expect(await call('GET', `http://${net}.2:8080/while-down`)).toEqual({ error: 'ECONNREFUSED' });
      expect(served.some((l) => l['url'] === '/while-down')).toBe(false);
      const down = await eventually(reported('node-proxy-not-listening'), 'shelf-in Degraded (node-proxy-not-listening)', 30_000);
      expect(down.reason).toBe('Degraded');
      // Back: it opens the Pod's listener again through the link, and the policy is Enforced again.
      envoy = await startEnvoy();
      await eventually(async () => ((await enforced())?.reason === 'Enforced' ? true : undefined), 'shelf-in Enforced again', 45_000);
      expect(await call('GET', `http://${net}.2:8080/again`)).toEqual({ status: 200 });

      // The sandbox recreated: a new namespace (and address) under the same UID, the app restarted in it.
      // A new link name (the new inode), so Envoy opens the Pod's listener again, inside the new namespace.
      shelfApp.kill('SIGKILL');
      const net2 = `10.233.${box.subnet('10.233')}`;
      const podNs2 = box.netns('shelf2');
      box.veth(undefined, podNs2, `${net2}.1/24`, `${net2}.2/24`);
      await bed.must('PATCH', '/api/v1/namespaces/shop/pods/shelf/status', { status: { podIP: `${net2}.2`, podIPs: [{ ip: `${net2}.2` }] } }, 'application/merge-patch+json');
      const argv2 = placed({ cgroup: appCg, netns: podNs2 }, [process.execPath, '-e', APP, `${net2}.2`, '8080']);
      shelfApp = spawn(argv2[0] ?? 'sh', argv2.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      const served2: Array<Record<string, unknown>> = [];
      createInterface({ input: shelfApp.stdout! }).on('line', (l) => served2.push(JSON.parse(l) as Record<string, unknown>));
      const podIno2 = statSync(`/run/netns/${podNs2}`, { bigint: true }).ino;
      const link2 = netnsLinkPath(netnsLinkName(uid, podIno2));
      await eventually(async () => ((await enforced())?.reason === 'Enforced' && existsSync(link2) && JSON.stringify(await envoy!.configDump('dynamic_listeners')).includes(link2) ? true : undefined), 'shelf-in Enforced in the new sandbox', 45_000);
      expect(existsSync(link)).toBe(false);
      expect(await call('GET', `http://${net2}.2:8080/new-sandbox`)).toEqual({ status: 200 });
      expect(await call('POST', `http://${net2}.2:8080/new-sandbox`)).toEqual({ status: 403 });
      expect(served2.filter((l) => l['url'] === '/new-sandbox').map((l) => l['method'])).toEqual(['GET']);
      expect(readStatus(pinRoot).attachments.some((a) => a.kind === 'netns' && BigInt(a.netnsIno ?? -1) === podIno)).toBe(false);

      // The Pod deleted: its entries leave, the agent removes its link and releases its namespace.
      await bed.must('DELETE', '/api/v1/namespaces/shop/pods/shelf?gracePeriodSeconds=0');
      await eventually(() => (readStatus(pinRoot).attachments.some((a) => a.kind === 'netns' && BigInt(a.netnsIno ?? -1) === podIno2) ? undefined : true), "the Pod's sk_lookup link released", 30_000);
      expect(existsSync(link2)).toBe(false);
      expect(readStatus(pinRoot).rules.map((r) => r.text).some((t) => t.includes(`${net2}.2:8080`))).toBe(false);
    }, 180_000);
  });
});
